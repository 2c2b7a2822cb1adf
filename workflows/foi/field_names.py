"""The fields a refusal names, by the label a clerk sees, with the machine name a CLI or API caller types:
申请人姓名或名称（applicant.name）. Pure data, imported by identifiers.py and wording.py alike."""

from __future__ import annotations

import re

# the fields a refusal may name, by their machine name (a dotted path for the applicant's own)
FIELD_NAMES: dict[str, str] = {
    "request_id": "申请编号", "agency": "受理机关", "channel": "申请方式", "subject": "申请内容",
    "applicant": "申请人", "applicant.kind": "申请人类型", "applicant.name": "申请人姓名或名称",
    "applicant.id_number": "身份证件号码", "applicant.phone": "联系电话", "applicant.email": "电子邮箱",
    "applicant.address": "通信地址", "applicant.organisation_code": "统一社会信用代码",
    "confirmed_at": "确认收到之日", "form_requested": "提供形式", "obtain_method": "获取方式",
    "assisted_by": "代为填写申请的人", "procedure": "办理程序", "period_days": "补正期限", "party": "征求对象",
    "opinion": "意见", "amount_yuan": "收费金额", "method": "方式", "working_days": "延长的工作日",
    "approved_by": "批准人", "outcome": "答复结果", "reasons": "理由", "responsible_agency": "掌握该信息的机关",
    "form_provided": "提供形式", "form_reason": "未按申请形式提供的理由", "case": "案号", "result": "结果",
    "after_review": "经复议后起诉", "notice": "通知书", "reasonable": "理由合理", "reply_days": "合理的答复期限",
    "competent_agency": "有权更正的机关", "version": "撤销的事件序号", "reason": "理由", "department": "部门",
    "due_on": "协办期限", "note": "说明", "served_on": "送达日", "at": "日期", "occurred_at": "日期",
    "received_at": "收到申请之日", "kind": "种类", "text": "正文", "opinion_text": "审批意见",
    "id": "申请编号", "name": "名称", "username": "用户名", "password": "密码", "display_name": "姓名",
    "email": "电子邮箱", "phone": "联系电话", "id_number": "身份证件号码", "address": "通信地址", "key": "键",
    "(key)": "键", "assignee": "承办人", "doc_type": "文书种类", "type": "类型", "stage": "状态", "state": "状态",
    "role": "角色", "slug": "机关代码", "parent": "上级机关", "court": "人民法院", "review_body": "行政复议机关",
    "applicant_name": "申请人姓名或名称", "path": "网址", "query": "查询参数", "as_of": "查看时点", "year": "年度",
    "page": "页码", "events": "事件", "applicant_kind": "申请人类型", "q": "查询内容", "code": "代码",
}


def field_named(where: str) -> str:
    """A field as a clerk sees it, with its machine name for the CLI and the API: 申请人姓名或名称（applicant.name）."""
    if not re.search(r"[A-Za-z]", where):  # already a label (上传内容)
        return where
    label = FIELD_NAMES.get(where) or FIELD_NAMES.get(re.sub(r"\[\d+\]$", "", where.rsplit(".", 1)[-1]))
    return f"{label}（{where}）" if label else f"字段（{where}）"

