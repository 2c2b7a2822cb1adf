"""Every event of a request's history told in one Chinese sentence (workflows/foi/narration.py): no code, no English
word, payload values through the workflow's labels, people by their names."""

from __future__ import annotations

import re

import pytest

from workflows.foi.event_types import EventType
from workflows.foi.narration import TELLERS, Names, narrate

ASCII_WORD = re.compile(r"[A-Za-z]")
D = {"reply": {"due": "2026-12-24", "provisional": False, "start": "2026-11-26", "working_days": 20}}
# one payload of each type as the store keeps it (DESIGN §4), with codes a sentence must turn into words
PAYLOADS: dict[str, dict] = {
    "received": {"agency": "hedong-xzsp", "channel": "post_plain", "confirmed_at": None, "deadlines": D,
                 "applicant": {"kind": "natural_person", "name": "王五"}, "request_id": "R-1", "subject": "预算",
                 "form_requested": "electronic", "procedure": "disclosure"},
    "receipt_confirmed": {"deadlines": D},
    "correction_requested": {"period_days": 15, "deadlines": {"correction": {"due": "2026-12-21"}}},
    "corrected": {"deadlines": D, "content": "补充了文件名称"},
    "consultation_started": {"party": "third_party", "party_name": "张三", "party_address": "河东区一路1号"},
    "consultation_ended": {"party": "agency", "opinion": "object", "deadlines": D},
    "fee_notified": {"amount_yuan": 200, "method": "by_volume"},
    "fee_paid": {"deadlines": D},
    "extended": {"approved_by": "head", "working_days": 15, "reason": "需要调取档案", "deadlines": D},
    "decided": {"outcome": "withheld.third_party", "reasons": "涉及个人隐私", "form_provided": "paper"},
    "delivered": {"method": "post", "served_on": "2026-12-08"},
    "withdrawn": {},
    "review_filed": {"case": "河复〔2027〕1号"},
    "review_closed": {"case": "河复〔2027〕1号", "result": "maintained"},
    "litigation_filed": {"case": "（2027）河行初1号", "after_review": True},
    "litigation_closed": {"case": "（2027）河行初1号", "result": "corrected"},
    "closed": {},
    "period_lapsed": {"period": "correction", "due": "2026-12-21"},
    "deadlines_recomputed": {"reason": "2027年放假安排：国务院办公厅通知"},
    "record_correction_decided": {"result": "referred", "competent_agency": "河东区公安分局"},
    "notice_received": {"notice": "fee"},
    "reasons_requested": {},
    "reasons_received": {"reasonable": True, "reply_days": 30},
    "system_events_withdrawn": {"versions": [7, 8]},
    "step_voided": {"version": 5, "reason": "日期录错", "approved_by": "head"},
    "document_drafted": {"doc_type": "fee_notice", "fee": {"method": "by_volume", "units": 50, "amount_yuan": 200}},
    "document_approved": {"doc_type": "reply", "approved_by": "head"},
    "document_issued": {"doc_type": "reply", "number": "河东审批依申复〔2026〕1号", "text_hash": "ab" * 32},
    "document_served": {"doc_type": "reply", "method": "personal", "signed_on": "2026-12-08"},
    "document_returned": {"doc_type": "correction_notice", "reason": "查无此人"},
    "document_sent_back": {"doc_type": "reply", "opinion": "理由不充分"},
    "approval_requested": {"approval_id": "a1", "kind": "extend", "reason": "需要调取档案",
                           "step": {"working_days": 15, "reason": "需要调取档案"}},
    "approval_granted": {"approval_id": "a1", "opinion": "同意"},
    "approval_rejected": {"approval_id": "a1", "opinion": "理由不足"},
    "department_assigned": {"department": "bangongshi"},
    "department_transferred": {"department": "zhengce", "reason": "涉及政策文件"},
    "department_sent_back": {"reason": "非本部门职责"},
    "assistance_requested": {"department": "zhengce", "due_on": "2026-12-10"},
    "assistance_answered": {"department": "zhengce", "note": "已提供材料"},
    "information_released": {"files": [{"name": "预算表.pdf", "sha256": "a" * 64, "size": 10, "media_type": "application/pdf"}]},
    "applicant_downloaded": {"item": "file", "ref": "a" * 64, "sha256": "a" * 64},
    "applicant_notices_chosen": {"enabled": False},
}
NAMES = Names(users={"clerk": "经办人小王", "head": "李主任"}, agencies={"hedong-xzsp": "河东区行政审批服务局"},
              departments={"bangongshi": "办公室", "zhengce": "政策法规科"})


def told(event_type: str, actor: str = "clerk") -> str:
    [one] = narrate([{"version": 1, "type": event_type, "occurred_at": "2026-12-01T09:30:00", "actor": actor,
                      "payload": PAYLOADS[event_type], "withdrawn_by": None}], NAMES)
    return one.sentence


def test_every_event_type_has_a_sentence_and_a_test_payload():
    """Fails when a new event type is added without its teller (and a payload here to tell it from)."""
    assert set(TELLERS) == {str(t) for t in EventType}
    assert set(PAYLOADS) == {str(t) for t in EventType}


@pytest.mark.parametrize("event_type", sorted(str(t) for t in EventType))
def test_each_sentence_is_chinese_without_a_code_or_an_english_word(event_type):
    sentence = told(event_type)
    assert sentence.startswith("2026年12月1日 09:30 ") and sentence.endswith("（经办人小王）")
    assert not ASCII_WORD.search(sentence), sentence


def test_payload_values_are_told_through_the_workflows_labels_art31_art32_art33():
    assert "平常信函" in told("received") and "待确认收到" in told("received")  # Art. 31
    assert "征求第三方意见（张三，地址：河东区一路1号）" in told("consultation_started")  # Art. 32
    assert "不同意公开" in told("consultation_ended") and "其他机关" in told("consultation_ended")
    assert "延长答复期限15个工作日，经负责人李主任同意" in told("extended")  # Art. 33, the head by name
    assert "邮寄送达" in told("delivered") and "按量计收" in told("fee_notified")
    assert "不予公开（保护第三方合法权益）" in told("decided")
    assert "分办至办公室" in told("department_assigned")


def test_an_approval_decision_names_what_was_asked_for():
    events = [{"version": n, "type": t, "occurred_at": "2026-12-04T09:00:00", "actor": a, "payload": PAYLOADS[t]}
              for n, (t, a) in enumerate((("approval_requested", "clerk"), ("approval_granted", "head")), 1)]
    asked, granted = narrate(events, NAMES)
    assert "提请负责人审批：延长答复期限15个工作日" in asked.text
    assert granted.text.startswith("负责人同意延长答复期限") and granted.actor == "李主任"


def test_an_unknown_code_is_never_printed():
    [one] = narrate([{"version": 1, "type": "delivered", "occurred_at": "2026-12-01T09:30:00", "actor": "system",
                      "payload": {"method": "pigeon"}}], NAMES)
    assert "pigeon" not in one.sentence and "（未知" in one.sentence and "系统" in one.actor


def test_a_draft_drafted_again_before_approval_is_told_as_an_edit():
    """DocumentService.edit records the new text as a redraft: the 办理记录 says 修改…正文, and a paper drafted after
    the last one was issued is a new draft again."""
    steps = [("document_drafted", {"doc_type": "reply", "outcome": "disclosed"}),
             ("document_drafted", {"doc_type": "reply", "outcome": "disclosed"}),
             ("document_approved", {"doc_type": "reply"}),
             ("document_issued", {"doc_type": "reply", "number": "河东审批依申复〔2026〕1号"}),
             ("document_drafted", {"doc_type": "correction_notice"})]
    events = [{"version": n, "type": t, "occurred_at": "2026-12-04T09:00:00", "actor": "clerk", "payload": p}
              for n, (t, p) in enumerate(steps, 1)]
    told = [line.text for line in narrate(events, NAMES)]
    assert told[0].startswith("起草政府信息公开申请答复书") and told[1].startswith("修改政府信息公开申请答复书正文")
    assert told[4].startswith("起草")
