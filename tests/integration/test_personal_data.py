"""Personal data in its place (issue 9 §6): ID numbers and phones are masked for every role; the applicant's
name and other contact details are shown only to the staff of the request's agency (or an agency above it)."""

from __future__ import annotations

import json

import pytest

from engine.errors import NotFound, OgiError
from tests.builders import load, request_line
from tests.conftest import AGENCY, user
from workflows.people.accounts import Role
from workflows.readmodels.history import HIDDEN

APPLICANT = {"kind": "natural_person", "name": "王小明", "id_number": "371315198209213958", "phone": "13805391234",
             "email": "wxm@example.cn", "address": "河东区人民路1号"}


@pytest.fixture
def one_request(services):
    load(services, request_line("P-1", "2026-11-02", applicant=APPLICANT))
    admin = user(services, "admin")
    services.directory.add_agency(admin, "lanshan-xzsp", "兰山区行政审批服务局")
    services.directory.add_user(admin, "other-clerk", Role.STAFF, "pw", agencies=["lanshan-xzsp"])
    return services


def applicant_seen_by(services, username: str | None) -> tuple[dict, dict]:
    data = services.queries.history("P-1", viewer=user(services, username) if username else None)
    return data["applicant"], data["events"][0]["payload"]["applicant"]


def test_staff_of_the_agency_see_name_and_contact_with_id_number_and_phone_masked(one_request):
    for shown in applicant_seen_by(one_request, "clerk"):
        assert shown["name"] == "王小明" and shown["email"] == "wxm@example.cn" and shown["address"] == "河东区人民路1号"
        assert shown["id_number"] == "3713**********3958" and shown["phone"] == "138****1234"


def test_staff_of_another_agency_may_not_read_the_history_at_all(one_request):
    from engine.errors import PermissionDenied  # issue 17: one access rule in the services

    with pytest.raises(PermissionDenied, match="或其上级机关工作"):
        one_request.queries.history("P-1", viewer=user(one_request, "other-clerk"))


@pytest.mark.parametrize("reader", ["auditor", "admin", None])
def test_everyone_else_sees_the_name_masked_and_the_contact_hidden(one_request, reader):
    for shown in applicant_seen_by(one_request, reader):
        assert shown == {"kind": "natural_person", "name": "王**", "id_number": "3713**********3958",
                         "phone": "138****1234", "email": HIDDEN, "address": HIDDEN}
    text = json.dumps(one_request.queries.history("P-1", viewer=user(one_request, reader) if reader else None),
                      ensure_ascii=False)
    assert "371315198209213958" not in text and "13805391234" not in text and "王小明" not in text


def test_a_user_can_only_be_put_in_agencies_that_exist(services):
    with pytest.raises(NotFound, match="没有代码为“nowhere”的机关"):
        services.directory.add_user(user(services, "admin"), "x-clerk", Role.STAFF, "pw", agencies=["nowhere"])
    with pytest.raises(OgiError, match="电子邮箱“nobody”不是有效的电子邮箱地址"):
        services.directory.add_user(user(services, "admin"), "y-clerk", Role.STAFF, "pw", email="nobody")
    assert services.queries.queue() == []  # nothing was half-written


def test_the_cli_history_shows_the_name_to_the_agencys_staff_only(ready, tmp_path):
    (tmp_path / "p.jsonl").write_text(json.dumps(request_line("P-1", "2026-11-02", applicant=APPLICANT),
                                                 ensure_ascii=False) + "\n", encoding="utf-8")
    ready("import", str(tmp_path / "p.jsonl"))
    ready("user", "add", "zhang", "--role", "staff", "--agency", AGENCY, "--email", "zhang@hedong.gov.cn")
    staff = json.loads(ready("history", "P-1", "--format", "json", "--as", "zhang").stdout)
    admin = json.loads(ready("history", "P-1", "--format", "json").stdout)
    assert staff["applicant"]["name"] == "王小明" and admin["applicant"]["name"] == "王**"
    refused = ready("user", "add", "li", "--role", "staff", "--agency", "nowhere", ok=False)
    assert refused.returncode != 0 and "没有代码为“nowhere”的机关" in refused.stderr
