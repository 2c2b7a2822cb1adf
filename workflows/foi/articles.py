"""Chapter 4 of the Regulation (Arts. 27–45, 依申请公开), article by article: where ogi implements each.

Listed in docs/workflow.md; a test checks that every article of the chapter is here.
"""

from __future__ import annotations

CHAPTER_4 = range(27, 46)

# article -> (what it asks, how ogi implements it: a transition, a guard, a field or a documented reading)
ARTICLES: dict[int, tuple[str, str]] = {
    27: ("who may apply", "field: the applicant and their kind (`receive`, report columns)"),
    28: ("the agency's channels and guidance for applying", "field: the channel (`Channel`); reading: channels are the agency's"),
    29: ("written application with identity, contact, description and form; oral application when writing is hard",
         "fields of `receive`: applicant name, ID number, phone, subject, `form_requested`; `assisted_by` (Art. 43)"),
    30: ("correction notice within 7 working days, once, with a reasonable period",
         "transitions `request_correction`, `submit_correction`, `record_notice_receipt`; guards `correction_noticed_once`, "
         "`outcome_allowed_now`; timers; flag `late_correction_notice`"),
    31: ("the day of receipt by channel", "transitions `receive`, `confirm_receipt`; guards on the channel"),
    32: ("third-party consultation, 15 working days, written notice before disclosure over an objection",
         "transitions `start_consultation`, `end_consultation`; automatic end; suspension of the reply period"),
    33: ("20 working days; one extension of at most 20 with the head's consent; consultations not counted",
         "deadlines; transition `extend` with guard `extended_once_within_limit` and the approver's role; flags "
         "`late_extension`, `late_reply`, `reply_overdue`"),
    34: ("consultation of other agencies; silence is consent", "`start_consultation --party agency`; automatic end recorded as consent"),
    35: ("requests beyond a reasonable range: reasons, and the agency's period",
         "transitions `ask_reasons`, `receive_reasons` (reply period of the agency's); guard on `rejected.mass_repeat`"),
    36: ("the seven kinds of reply", "the outcomes (DESIGN §2); `--reasons` and `--responsible-agency` on `decide`"),
    37: ("partial disclosure with reasons", "outcome `partial` with `--reasons`"),
    38: ("no duty to create or analyse information", "outcome `unable.needs_creation`"),
    39: ("petitions and publications are not OGI requests", "outcomes `rejected.petition`, `rejected.publication`"),
    40: ("the form of provision", "`form_requested` on receipt, `form_provided` and `form_reason` on `decide`; flag `form_changed`"),
    41: ("correction of records about the applicant",
         "`receive --procedure record_correction`; transition `decide_record_correction` (corrected, not corrected "
         "with reasons, referred or directed to the competent agency); left out of the annual report"),
    42: ("free of charge; the information processing fee (109号)", "transitions `notify_fee`, `pay_fee`; suspension; "
         "outcome `other.unpaid_fee` after the lapse"),
    43: ("help for applicants who cannot apply on their own", "field `assisted_by` on `receive`"),
    44: ("information asked for by several applicants → proactive disclosure", "`ogi request similar` (proposals)"),
    45: ("the agency's rules for handling requests", "reading: ogi is that system (registration, deadlines, records)"),
}
