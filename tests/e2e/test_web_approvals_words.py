"""The heads' 审批 page in words (issue 19 items 2, 8): what waits is told as a clerk would say it (延长答复期限 N 个
工作日, the agency's and the clerk's names, the rule cited), never as its codes; a refused decision answers 303 and
the page says which request and what was refused, once."""

from __future__ import annotations

from tests.web_client import csrf, signed_in
from tests.world import user
from workflows.foi import commands as c


def _asked(site) -> str:
    site.requests.act("W-1", lambda now: c.Extend(at=now, working_days=15, reason="涉及多个部门，需调取档案"),
                      user(site, "clerk"))
    [pending] = site.approvals.listing(user(site, "head"))
    return pending.id


def test_a_pending_extension_is_told_in_words_with_its_rule(site):
    approval_id = _asked(site)
    page = signed_in(site, "head").get("/approvals").text
    row = page.split(f'data-approval="{approval_id}"')[1].split("</tr>")[0]
    assert "延长答复期限 15 个工作日" in row and "涉及多个部门，需调取档案" in row
    assert "《条例》第三十三条" in row and "河东区行政审批服务局" in row and "经办人" in row
    assert "working_days" not in row and "Art." not in row and "hedong-xzsp</td>" not in row


def test_a_rejection_without_an_opinion_is_refused_by_redirect_and_shown_once(site):
    approval_id = _asked(site)
    head = signed_in(site, "head")
    token = csrf(head.get("/approvals").text)
    refused = head.post(f"/approvals/{approval_id}/reject", data={"csrf_token": token, "reason": ""},
                        follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/approvals")
    shown = head.get(refused.headers["location"]).text
    assert "申请 W-1 的" in shown and "未能退回" in shown and 'id="approvals-error"' in shown
    assert 'id="approvals-error"' not in head.get("/approvals").text  # once
    approved = head.post(f"/approvals/{approval_id}/approve", data={"csrf_token": token, "reason": "同意"},
                         follow_redirects=False)
    assert approved.status_code == 303 and "已同意" in head.get(approved.headers["location"]).text
