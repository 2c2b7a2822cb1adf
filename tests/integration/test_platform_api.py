"""A 政务服务网 files applications through POST /api/v1/applications with its platform token and an idempotency key,
and reads back those it filed (web/api_online.py, workflows/portal/platforms.py; filing: PortalService)."""

from __future__ import annotations

import base64
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tests.world import AGENCY, user
from web.app import create_app
from workflows.streams import request_stream
from workflows.tables import agencies_table, portal_submissions_table

URL = "/api/v1/applications"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OTHER_AGENCY = "hexi-xzsp"


def application(**changes) -> dict:
    fields = {"agency": AGENCY, "applicant_kind": "natural_person", "applicant_name": "张三", "id_type": "resident_id",
              "id_number": "11010519491231002X", "phone": "13800138000", "subject": "2025年河东区道路维修合同",
              "obtain_method": "online", "electronic_service": True}
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


@pytest.fixture
def platform(services):
    """The agency accepts online applications; a second agency too, not the platform's; the platform's client."""
    admin = user(services)
    services.directory.add_agency(admin, OTHER_AGENCY, "河西区行政审批服务局")
    with services.engine.begin() as conn:
        conn.execute(update(agencies_table).values(accepts_online=True))
    token = services.platforms.add(admin, "hedong-zwfw", [AGENCY], "河东区政务服务网")
    return services, TestClient(create_app(services)), token


def post(client, token: str, body: dict, key: str | None = "K-0001"):
    headers = {"Authorization": f"Bearer {token}"} | ({"Idempotency-Key": key} if key is not None else {})
    return client.post(URL, json=body, headers=headers)


def requests_count(services) -> int:
    with services.engine.connect() as conn:
        return sum(1 for s in services.store.stream_ids(conn) if s.startswith(request_stream("")))


def submissions(services) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(portal_submissions_table)).scalar_one()


def test_a_platform_files_an_application_201_awaiting_confirmation_art29(platform):
    services, client, token = platform
    answer = post(client, token, application())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "awaiting_confirmation" and body["agency"] == AGENCY and body["query_code"]
    assert body["links"] == {"applicant_page": "/my"}
    with services.engine.connect() as conn:
        loaded = services.requests.load(conn, body["request_id"])
    state = loaded.state
    assert state.channel == "online" and state.confirmed_on is None and state.electronic_service is True
    assert loaded.events[0].actor == "platform:hedong-zwfw" and state.applicant["name"] == "张三"
    _, told = services.queries.told(services.queries.history(body["request_id"], viewer=user(services, "clerk")))
    assert told[0].actor == "河东区政务服务网"  # the token's display name (workflows/readmodels/history.py names_in)


def test_the_same_key_twice_files_one_request_201_then_200(platform):
    services, client, token = platform
    first = post(client, token, application())
    again = post(client, token, application())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and requests_count(services) == 1


def test_another_key_files_another_request(platform):
    services, client, token = platform
    first = post(client, token, application(), key="K-1").json()["request_id"]
    second = post(client, token, application(), key="K-2").json()["request_id"]
    assert first != second and requests_count(services) == 2


def test_two_posts_with_the_same_key_at_once_file_one_request(platform):
    services, client, token = platform
    answers: list = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        answers.append(post(client, token, application(), key="K-AT-ONCE"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert len({a.json()["request_id"] for a in answers}) == 1 and requests_count(services) == 1


@pytest.mark.parametrize("key", [None, "", "键值", "x" * 201, "a b\x01"])
def test_without_a_valid_idempotency_key_nothing_is_filed(platform, key):
    services, client, token = platform
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key.encode() if not key.isascii() else key  # type: ignore[assignment]
    answer = client.post(URL, json=application(), headers=headers)
    assert answer.status_code in (400, 422), answer.text
    assert "幂等键" in answer.json()["error"] and requests_count(services) == 0


def test_an_agency_not_the_platforms_is_refused_403(platform):
    services, client, token = platform
    answer = post(client, token, application(agency=OTHER_AGENCY))
    assert answer.status_code == 403 and "无权向该机关提交申请" in answer.json()["error"]
    assert requests_count(services) == 0 and submissions(services) == 0


def test_a_users_token_or_session_is_refused_403(platform):
    services, client, _ = platform
    user_token = services.web.create_token(user(services), "clerk")
    answer = post(client, user_token, application())
    assert answer.status_code == 403 and "须使用政务服务平台令牌" in answer.json()["error"]
    client.cookies.set("ogi_session", "some-session")
    answer = client.post(URL, json=application(), headers={"Idempotency-Key": "K-1"})
    assert answer.status_code == 403 and "须使用政务服务平台令牌" in answer.json()["error"]
    assert requests_count(services) == 0


def test_no_token_an_unknown_one_or_a_revoked_one_is_401(platform):
    services, client, token = platform
    assert client.post(URL, json=application(), headers={"Idempotency-Key": "K-1"}).status_code == 401
    assert post(client, "ogip_guessed", application()).status_code == 401
    services.platforms.revoke(user(services), "hedong-zwfw")
    answer = post(client, token, application())
    assert answer.status_code == 401 and "已吊销" in answer.json()["error"]
    assert requests_count(services) == 0


@pytest.mark.parametrize("changes", [
    {"applicant_name": "张\x00三"}, {"applicant_name": "张\x07三"}, {"subject": "x" * 30_000},
    {"applicant_name": ""}, {"id_number": "110105194912310021"}, {"applicant_kind": "alien"},
    {"phone": "12345"}, {"applicant_name": ["张三"]}, {"electronic_service": 1}, {"unknown_field": "x"},
    {"attachments": "nope"}, {"attachments": [{"kind": "identity", "filename": "id.png", "content_base64": "%%%"}]},
    {"attachments": [{"kind": "identity", "filename": "id.txt",
                      "content_base64": base64.b64encode(b"plain text").decode()}]},
    {"attachments": [{"kind": "identity"}]},
])
def test_hostile_fields_are_refused_in_chinese_422_and_nothing_is_written(platform, changes):
    services, client, token = platform
    answer = post(client, token, application(**changes))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error) and "Traceback" not in error
    assert requests_count(services) == 0 and submissions(services) == 0


def test_markup_is_kept_as_text(platform):
    services, client, token = platform
    answer = post(client, token, application(subject="<script>alert(1)</script>的合同"))
    assert answer.status_code == 201
    with services.engine.connect() as conn:
        assert services.requests.load(conn, answer.json()["request_id"]).state.subject.startswith("<script>")


def test_a_base64_attachment_is_stored_as_the_requests_attachment(platform):
    services, client, token = platform
    scan = {"kind": "identity", "filename": "身份证.png", "content_base64": base64.b64encode(PNG).decode()}
    answer = post(client, token, application(attachments=[scan]))
    assert answer.status_code == 201, answer.text
    request_id = answer.json()["request_id"]
    [stored] = services.portal.attachments.listing(request_id, user(services, "clerk"))
    assert stored.kind == "identity" and stored.filename == "身份证.png"
    assert services.portal.attachments.read(request_id, stored.id, user(services, "clerk"))[1] == PNG


def test_the_platform_reads_back_the_request_it_filed_and_no_other(platform):
    services, client, token = platform
    request_id = post(client, token, application()).json()["request_id"]
    headers = {"Authorization": f"Bearer {token}"}
    seen = client.get(f"{URL}/{request_id}", headers=headers)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["request_id"] == request_id and body["state"] == "awaiting_confirmation"
    assert body["state_label"] == "待受理机关确认" and body["documents"] == []
    assert "13800138000" not in seen.text and "11010519491231002X" not in seen.text
    other = services.platforms.add(user(services), "hexi-zwfw", [AGENCY])
    assert client.get(f"{URL}/{request_id}", headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.get(f"{URL}/NO-SUCH", headers=headers).status_code == 404
    assert client.get(f"{URL}/{request_id}").status_code == 401



def test_a_scan_of_300_kb_fits_the_api_body(platform):
    services, client, token = platform
    scan = {"kind": "identity", "filename": "身份证.png", "content_base64": base64.b64encode(PNG * 4000).decode()}
    answer = post(client, token, application(attachments=[scan]))
    assert answer.status_code == 201, answer.text
