"""What serving a notice carries (送达, 235号): the reply served is delivered, a correction notice served requests
the correction, a fee notice notifies the fee; a notice signed for today also starts the applicant's period."""

from __future__ import annotations

import datetime as dt

from engine.errors import RuleViolation
from workflows.foi import commands as c
from workflows.foi.documents import DocumentType, latest, stated_correction_period
from workflows.foi.state import RequestState, Stage

SERVICE_TO_DELIVERY = {"personal": "in_person", "post": "post", "electronic": "electronic"}


def steps_carried(state: RequestState, doc_type: str, method: str, signed_on: dt.date | None,
                  now: dt.datetime) -> list[c.Command]:
    """The steps serving carries, dated when the service was done (`now`: the service's own time, also when it
    is entered later); the period the correction notice states, the fee it states: the step is the paper's."""
    served = latest(state.documents, doc_type)
    assert served is not None  # just served
    if doc_type == DocumentType.REPLY and state.stage == Stage.DECIDED:
        if method not in SERVICE_TO_DELIVERY:
            raise RuleViolation("公告送达的答复书尚不能记为已送达：请选择直接送达、邮寄送达或电子送达", "235号")
        return [c.Deliver(at=now, method=SERVICE_TO_DELIVERY[method], served_on=served.served_on.isoformat()
                          if served.served_on else None)]
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
