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
    "confirmed_at": "确认收到之日", "evidence": "送达凭证", "electronic_service": "同意电子送达", "form_requested": "提供形式", "obtain_method": "获取方式",
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
    # the pages' other form fields, so the input boundary names each one (never a bare 输入)
    "addressee": "受送达人", "addressee_kind": "第三方类型", "agencies": "所属机关", "attachments": "附件",
    "files": "附件", "back": "返回页面", "next": "返回页面", "contact_name": "联系人", "contact_phone": "联系电话",
    "correction_days": "补正期限", "csrf_token": "表单校验码", "doc_prefix": "文号前缀", "holidays": "节假日",
    "workdays": "调休上班日", "source": "放假通知的名称或文号", "item": "事项", "missing": "申请缺少的内容",
    "of": "送达的文书", "own_only": "仅本机关", "password_again": "再次输入密码", "received_from": "收到日期（起）",
    "received_to": "收到日期（止）", "received_on": "收到之日", "reminders": "提醒", "status": "状态",
    "task_id": "待办事项", "vertically_led": "垂直管理", "view": "查看范围", "webhook_secret": "推送密钥",
    "webhook_url": "推送地址", "content": "补正内容", "party_name": "征求对象名称", "party_address": "征求对象地址",
    # the online door's forms (/apply, /my)
    "agent_name": "代理人姓名", "answers": "补正内容", "code_channel": "验证码接收方式", "confirm": "确认撤回",
    "contact_person": "联系人", "enabled": "办理进展通知", "id_type": "身份证件类型", "notices": "办理进展通知",
    "organisation_code": "统一社会信用代码", "applicant.id_type": "身份证件类型",
    "applicant.contact_person": "联系人", "applicant.agent_name": "代理人姓名",
    "payment_info": "缴费说明", "accepts_online": "受理网上申请", "idempotency_key": "幂等键",
}


def field_named(where: str) -> str:
    """A field as a clerk sees it, with its machine name for the CLI and the API: 申请人姓名或名称（applicant.name）."""
    if not re.search(r"[A-Za-z]", where) or re.search(r"[\u3400-\u9fff]", where):  # already a label (上传内容)
        return where
    label = FIELD_NAMES.get(where) or FIELD_NAMES.get(re.sub(r"\[\d+\]$", "", where.rsplit(".", 1)[-1]))
    return f"{label}（{where}）" if label else f"字段（{where}）"

