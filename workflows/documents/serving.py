"""What serving a notice carries (送达, 235号): the reply served is delivered, a correction notice served requests
the correction, a fee notice notifies the fee; a notice signed for today also starts the applicant's period."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from engine.errors import RuleViolation
from workflows.documents.electronic_service import ELECTRONIC, served_electronically
from workflows.foi import commands as c
from workflows.foi.documents import DocumentType, latest, stated_correction_period
from workflows.foi.state import RequestState, Stage
from workflows.people.accounts import User
from workflows.requests.service import RequestService

SERVICE_TO_DELIVERY = {"personal": "in_person", "post": "post", "electronic": "electronic"}


def service_command(conn: Connection, requests: RequestService, request_id: str, doc_type: str, actor: User,
                    method: str, tracking_no: str | None, posted_on: dt.date | None, signed_on: dt.date | None,
                    moment: dt.datetime, now: dt.datetime) -> c.ServeDocument:
    """The `serve_document` step as recorded: by post handed in the day of the service unless told otherwise;
    electronically now, to the applicant's page, with its evidence (workflows/documents/electronic_service.py)."""
    if method == ELECTRONIC:
        return served_electronically(conn, requests, request_id, doc_type, actor, moment, now, posted_on, signed_on)
    if method == "post" and posted_on is None:
        posted_on = moment.date()
    return c.ServeDocument(at=moment, doc_type=doc_type, method=method, tracking_no=tracking_no,
                           posted_on=posted_on.isoformat() if posted_on else None,
                           signed_on=signed_on.isoformat() if signed_on else None)


def steps_carried(state: RequestState, doc_type: str, method: str, signed_on: dt.date | None,
                  now: dt.datetime, evidence: str | None = None) -> list[c.Command]:
    """The steps serving carries, dated when the service was done (`now`: the service's own time, also when it
    is entered later); the period the correction notice states, the fee it states: the step is the paper's.
    `evidence`: an electronic service's, repeated on the reply's `deliver`."""
    served = latest(state.documents, doc_type)
    assert served is not None  # just served
    if doc_type == DocumentType.REPLY and state.stage == Stage.DECIDED:
        if method not in SERVICE_TO_DELIVERY:
            raise RuleViolation("公告送达的答复书尚不能记为已送达：请选择直接送达、邮寄送达或电子送达", "235号")
        return [c.Deliver(at=now, method=SERVICE_TO_DELIVERY[method], served_on=served.served_on.isoformat()
                          if served.served_on else None, evidence=evidence)]
    notice = {DocumentType.CORRECTION_NOTICE: "correction", DocumentType.FEE_NOTICE: "fee"}.get(DocumentType(doc_type))
    if notice is None or state.stage != Stage.PROCESSING:
        return []  # a notice served again after a returned letter: the step was taken with the first service
    step: c.Command
    if notice == "correction":
        step = c.RequestCorrection(at=now, period_days=stated_correction_period(served))
    elif served.fee:
        step = c.NotifyFee(at=now, amount_yuan=served.fee["amount_yuan"], method=served.fee["method"])
    else:
        raise RuleViolation("该收费通知书起草时未写明收费金额：请选择收费方式重新起草", "109号")
    steps: list[c.Command] = [step]
    if signed_on == now.date():
        steps.append(c.RecordNoticeReceipt(at=now, notice=notice))
    return steps


DELIVERY_TO_SERVICE = {delivery: service for service, delivery in SERVICE_TO_DELIVERY.items()}


class ReplyDelivery:
    """`deliver` on a live request is the service of its issued reply (235号), whichever door records it (the CLI's
    `request act deliver`, the API's action): the reply and the request then agree. Mixed into DocumentService."""

    if TYPE_CHECKING:  # DocumentService's own
        def documents(self, request_id: str, viewer: Any = None) -> list: ...
        def serve(self, request_id: str, doc_type: str, actor: Any, method: str, tracking_no: str | None = None,
                  posted_on: dt.date | None = None, signed_on: dt.date | None = None, at: Any = None) -> Any: ...

    def serve_issued_reply(self, request_id: str, actor, method: str | None, tracking_no: str | None = None,
                           served_on: dt.date | None = None, at=None):
        """The issued reply served by `method` (in_person, post, electronic; the delivery's words), `served_on` the
        legal service day (post: handed to the post office; in person: signed for); None when the request has no
        issued reply to serve (an imported history, or a reply not yet issued: the step itself then says why)."""
        reply = next((d for d in reversed(self.documents(request_id, viewer=actor)) if d.type == DocumentType.REPLY),
                     None)
        if reply is None or reply.state not in ("issued", "returned"):
            return None
        if method not in DELIVERY_TO_SERVICE:
            raise RuleViolation("答复书送达须选择送达方式（method）：直接送达、邮寄送达或电子送达", "235号")
        return self.serve(request_id, DocumentType.REPLY, actor, DELIVERY_TO_SERVICE[method], tracking_no,
                          posted_on=served_on if method != "in_person" else None,
                          signed_on=served_on if method == "in_person" else None, at=at)
