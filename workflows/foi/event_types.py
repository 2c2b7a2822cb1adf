"""Every event type of a request's stream, named once (the stored `type`, the import `type`, the fold's keys)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    RECEIVED = "received"
    RECEIPT_CONFIRMED = "receipt_confirmed"
    CORRECTION_REQUESTED = "correction_requested"
    CORRECTED = "corrected"
    CONSULTATION_STARTED = "consultation_started"
    CONSULTATION_ENDED = "consultation_ended"
    FEE_NOTIFIED = "fee_notified"
    FEE_PAID = "fee_paid"
    EXTENDED = "extended"
    DECIDED = "decided"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"
    REVIEW_FILED = "review_filed"
    REVIEW_CLOSED = "review_closed"
    LITIGATION_FILED = "litigation_filed"
    LITIGATION_CLOSED = "litigation_closed"
    CLOSED = "closed"
    PERIOD_LAPSED = "period_lapsed"
    DEADLINES_RECOMPUTED = "deadlines_recomputed"
    RECORD_CORRECTION_DECIDED = "record_correction_decided"  # Art. 41: the answer to a request to correct records
    NOTICE_RECEIVED = "notice_received"  # the applicant received a correction or fee notice on this day
    REASONS_REQUESTED = "reasons_requested"  # Art. 35: a mass or repeated applicant asked to state reasons
    REASONS_RECEIVED = "reasons_received"  # Art. 35: the reasons, judged reasonable or not
    # a step recorded after the fact showed that system-made events dated after it did not happen as recorded:
    # they are withdrawn (payload: their versions), never edited or deleted; what still holds is recorded again
    SYSTEM_EVENTS_WITHDRAWN = "system_events_withdrawn"
    # a person's step recorded by mistake (a wrong date or value), voided in the open with the reason and the approver
    STEP_VOIDED = "step_voided"
    # the official documents (DESIGN §9): drafted, approved (审核), issued under a number, served
    DOCUMENT_DRAFTED = "document_drafted"
    DOCUMENT_APPROVED = "document_approved"
    DOCUMENT_ISSUED = "document_issued"
    DOCUMENT_SERVED = "document_served"
    DOCUMENT_RETURNED = "document_returned"  # the letter came back undelivered: served again
    DOCUMENT_SENT_BACK = "document_sent_back"  # 审核 not passed: the draft goes back to its drafter with the opinion
    # a step that needs the head's consent (an extension, a void), asked for by staff and decided in 审批 by a head
    # or administrator of the request's agency, who is the actor of the decision
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_GRANTED = "approval_granted"  # followed, in the same append, by the step's own event
    APPROVAL_REJECTED = "approval_rejected"
    # handling inside the agency (签收/转办/退回/协办): the reply period keeps running
    DEPARTMENT_ASSIGNED = "department_assigned"
    DEPARTMENT_TRANSFERRED = "department_transferred"
    DEPARTMENT_SENT_BACK = "department_sent_back"
    ASSISTANCE_REQUESTED = "assistance_requested"
    ASSISTANCE_ANSWERED = "assistance_answered"
    # the online door (online.py): information released as files, a download by the applicant, the applicant's
    # choice of milestone messages
    INFORMATION_RELEASED = "information_released"
    APPLICANT_DOWNLOADED = "applicant_downloaded"
    APPLICANT_NOTICES_CHOSEN = "applicant_notices_chosen"


CONCLUDING = frozenset({EventType.DECIDED, EventType.WITHDRAWN})  # the events that give a request its one outcome
SYSTEM_EVENTS = frozenset({EventType.PERIOD_LAPSED, EventType.DEADLINES_RECOMPUTED})  # no person's step
APPROVAL_EVENTS = frozenset({EventType.APPROVAL_REQUESTED, EventType.APPROVAL_GRANTED, EventType.APPROVAL_REJECTED})
# events that do not move the last step's time (an approval is about a step, not a step of the procedure)
NOT_A_STEP = SYSTEM_EVENTS | APPROVAL_EVENTS | {EventType.SYSTEM_EVENTS_WITHDRAWN, EventType.STEP_VOIDED,
                                               EventType.APPLICANT_DOWNLOADED, EventType.APPLICANT_NOTICES_CHOSEN}
