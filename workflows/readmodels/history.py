"""One request replayed as of a moment: every event with actor and time, and the state and deadlines then."""

from __future__ import annotations

import copy
import datetime as dt

from sqlalchemy import Connection, select

from engine.adapters.eventstore import EventStore, StoredEvent
from engine.errors import NotFound
from workflows.foi.deadlines import DEADLINE_LABELS
from workflows.foi.decide import taken_back_by
from workflows.foi.documents import DOCUMENT_TITLES
from workflows.foi.narration import Names, Narrated, narrate
from workflows.foi.state import STAGE_LABELS, RequestState
from workflows.foi.vocabulary import CHANNEL_LABELS, FLAG_LABELS, OUTCOME_LABELS, Flag
from workflows.people.accounts import PLATFORM_PREFIX, User
from workflows.people.personal_data import HIDDEN, masked_applicant, masked_value, replacements, sees_personal_data
from workflows.streams import fold_stored, request_stream
from workflows.tables import agencies_table, departments_table, platform_tokens_table, users_table

__all__ = ["DOCUMENT_STATE_LABELS", "HIDDEN", "events_until", "history", "history_of", "masked_applicant", "names_in",
           "narrated"]  # HIDDEN, masked_applicant: as before

# every state a document can be in (workflows/foi/documents.py), in words; an unknown one is shown as its code
DOCUMENT_STATE_LABELS = {"draft": "草稿", "sent_back": "退回修改", "approved": "已审核", "issued": "已印发",
                         "served": "已送达", "returned": "退件待重新送达"}


def history(store: EventStore, conn: Connection, request_id: str, as_of: dt.datetime | None = None,
            viewer: User | None = None) -> dict:
    """`viewer`: who reads it; the applicant's name and contact details are shown in full only to staff of the
    request's agency (or an agency above it). Without a viewer they are masked as for anyone else."""
    events = events_until(store.read_stream(conn, request_stream(request_id)), request_id, as_of)
    return history_of(conn, events, fold_stored(events), as_of, viewer)


def events_until(events: list[StoredEvent], request_id: str, as_of: dt.datetime | None) -> list[StoredEvent]:
    """The request's stored events that had occurred by `as_of` (all without one); NotFound if there are none."""
    if not events:
        raise NotFound(f"没有编号为“{request_id[:60]}”的申请，请核对申请编号")
    if as_of is not None:
        events = [e for e in events if e.occurred_at <= as_of]
        if not events:
            raise NotFound(f"申请“{request_id[:60]}”在查看时点 {as_of.isoformat(sep=' ', timespec='minutes')} 尚未收到")
    return events


def history_of(conn: Connection, events: list[StoredEvent], state: RequestState, as_of: dt.datetime | None = None,
               viewer: User | None = None) -> dict:
    """The history shown of `events`, `state` being their fold (the caller folds once and may use it again)."""
    in_full = sees_personal_data(conn, viewer, state.agency)
    # what everyone else sees instead of each personal value, wherever a payload quotes it (a document's text…)
    replaced = {} if in_full else replacements([state.applicant, *(e.payload["applicant"] for e in events
                                                                     if isinstance(e.payload.get("applicant"), dict))])
    deadlines = {
        name: {**d.as_dict(), "label": DEADLINE_LABELS.get(name, name)} for name, d in sorted(state.deadlines.items())
    }
    deadlines.setdefault("reply", {"start": None, "working_days": None, "due": None, "provisional": False,
                                   "label": DEADLINE_LABELS["reply"]})
    flags = [str(f) for f in state.flags]
    if any(d["provisional"] for d in deadlines.values()) and Flag.PROVISIONAL_DEADLINE not in flags:
        flags.append(Flag.PROVISIONAL_DEADLINE.value)
    withdrawn_by = taken_back_by(events)
    shown_events = []
    for e in events:
        payload = copy.deepcopy(e.payload) if in_full else masked_value(e.payload, replaced)
        if isinstance(payload.get("applicant"), dict):
            payload["applicant"] = masked_applicant(e.payload["applicant"], in_full)
        shown_events.append({
            "version": e.version, "type": e.type, "occurred_at": e.occurred_at.isoformat(),
            "recorded_at": e.recorded_at.isoformat(timespec="seconds"), "actor": e.actor, "payload": payload,
            "withdrawn_by": withdrawn_by.get(e.version),
            "origin": e.origin,  # a later step showed it did not happen as recorded
        })
    return {
        "id": state.request_id,
        "agency": state.agency,
        "state": state.stage.value,
        "state_label": STAGE_LABELS[state.stage],
        "outcome": str(state.outcome) if state.outcome else None,
        "outcome_label": OUTCOME_LABELS.get(state.outcome) if state.outcome else None,
        "procedure": state.procedure or "disclosure",
        "record_correction_result": state.record_correction_result,
        "applicant": masked_applicant(state.applicant, in_full),
        "channel": str(state.channel) if state.channel else None,
        "channel_label": CHANNEL_LABELS.get(state.channel, state.channel) if state.channel else None,
        "subject": masked_value(state.subject, replaced),
        "received_at": state.received_on.isoformat() if state.received_on else None,
        "confirmed_at": state.confirmed_on.isoformat() if state.confirmed_on else None,
        "clock_start": state.clock_start.isoformat() if state.clock_start else None,
        "concluded_at": state.concluded_on.isoformat() if state.concluded_on else None,
        "deadlines": deadlines,
        "flags": flags,
        "flag_labels": [FLAG_LABELS.get(f, f) for f in flags],
        "as_of": as_of.isoformat() if as_of else None,
        "version": events[-1].version,
        "documents": [_document(d) for d in state.documents],
        # 审批: steps staff asked a head for (DESIGN §9), with their decision once taken
        "approvals": [{"id": f"{state.request_id}:{a.id}", "kind": a.kind, "label": a.label, "step": a.step,
                       "reason": a.reason, "requested_on": a.requested_on.isoformat(), "status": a.status,
                       "opinion": a.opinion, "decided_on": a.decided_on.isoformat() if a.decided_on else None}
                      for a in state.approvals],
        "department": state.department,
        "assists": [{"department": a.department, "requested_on": a.requested_on.isoformat(), "due_on": a.due_on.isoformat(),
                     "answered_on": a.answered_on.isoformat() if a.answered_on else None} for a in state.assists],
        "imported_from": state.imported_from,  # a history brought in by `ogi import`: its papers are not in ogi
        # the online door (issue 20): consent to 电子送达, the information's files released (by SHA-256)
        "electronic_service": state.electronic_service,
        "released": [{"name": f.name, "sha256": f.sha256, "size": f.size, "media_type": f.media_type,
                      "released_on": f.released_on.isoformat()} for f in state.released],
        "events": shown_events,
    }


def _document(d) -> dict:
    """Every key always present (None when it does not apply), `service` with all its keys once served: the
    templates read them under StrictUndefined, whatever the document's state."""
    service = None if d.service is None else {key: d.service.get(key) for key in SERVICE_KEYS} | d.service
    return {"type": d.type, "title": DOCUMENT_TITLES[d.type], "state": d.state,
            "state_label": DOCUMENT_STATE_LABELS.get(d.state, d.state), "number": d.number,
            "outcome": d.outcome, "drafted_on": d.drafted_on.isoformat(), "approved_by": d.approved_by,
            "issued_on": d.issued_on.isoformat() if d.issued_on else None, "text_hash": d.text_hash,
            "served_on": d.served_on.isoformat() if d.served_on else None, "service": service,
            "returned_on": d.returned_on.isoformat() if d.returned_on else None, "return_reason": d.return_reason,
            "review_opinion": d.review_opinion}  # the 审批意见 of a draft sent back for revision


SERVICE_KEYS = ("method", "tracking_no", "posted_on", "signed_on", "service_day")


def names_in(conn: Connection, history: dict) -> Names:
    """The names of whoever and whatever a history's codes point at: its actors and approvers, its agency (and any
    agency named in a payload), its agency's departments."""
    usernames = {str(e["actor"]) for e in history["events"]}
    usernames |= {str(e["payload"]["approved_by"]) for e in history["events"] if e["payload"].get("approved_by")}
    u, a, d = users_table.c, agencies_table.c, departments_table.c
    users = dict(conn.execute(select(u.username, u.display_name).where(u.username.in_(sorted(usernames)))).all())
    platforms = sorted(name.removeprefix(PLATFORM_PREFIX) for name in usernames if name.startswith(PLATFORM_PREFIX))
    if platforms:  # a 政务服务网 that filed it (issue 20): its own name, from its token's row
        p = platform_tokens_table.c
        users |= {PLATFORM_PREFIX + row.name: row.display_name for row in conn.execute(
            select(p.name, p.display_name).where(p.name.in_(platforms)))}
    agencies = dict(conn.execute(select(a.slug, a.name)).all())
    departments = dict(conn.execute(select(d.code, d.name).where(d.agency == history["agency"])).all())
    return Names(users, agencies, departments)


def narrated(conn: Connection, history: dict) -> list[Narrated]:
    """The history's events, each told in one sentence (workflows/foi/narration.py), with the names of the people,
    agencies and departments they name."""
    return narrate(history["events"], names_in(conn, history))
