"""One boundary for input (issue 17 item 4), on SQLite and PostgreSQL: every known 500 is a 4xx in the documented shape
(DESIGN §10) naming the field, page routes answer the Chinese error page, request ids keep to their pattern at every
door, 居民身份证 numbers (GB 11643-1999) and phones are checked; then hypothesis over the routing table with hostile
path, query and form values, signed in as admin and as staff: no 5xx."""

from __future__ import annotations

import json
import logging
import os
import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.adapters.eventstore import events_table
from tests.conftest import AGENCY, user
from tests.e2e.test_web_access import page_routes
from tests.web_client import csrf, signed_in
from tests.world import PASSWORD
from web.app import create_app
from workflows.foi import commands as c
from workflows.foi.identifiers import (
    REQUEST_ID_MAX,
    InputRefused,
    check_applicant_id_number,
    check_id_card_number,
    check_phone,
    check_request_id,
    id_check_digit,
)
from workflows.people.accounts import Role
from workflows.readmodels.tasks import ASSIGNMENT_STREAM
from workflows.requests.importer import ImportRefused, import_lines
from workflows.streams import REQUEST_STREAM
from workflows.tables import requests_table, tasks_table, users_table

VALID_ID_NUMBER = "11010519491231002X"
BAD_IDS = ["a/b", "../x", "x y#z?", ".", "..", "a\tb", "a\x00b", "x" * (REQUEST_ID_MAX + 1), "a?b", "a#b", ""]
GOOD_IDS = ["HD-2026-00001", "河东-2026.1", "a_b", "x" * REQUEST_ID_MAX]


@pytest.fixture
def site(services):
    """The web's world on both databases: request W-1 of the seed agency, and staff of another agency."""
    admin = user(services, "admin")
    services.directory.add_agency(admin, "other-agency", "另一机关")
    services.directory.add_user(admin, "outsider", Role.STAFF, PASSWORD, "外机关经办人", ["other-agency"])
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="W-1", agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "王五",
                                                                          "id_number": VALID_ID_NUMBER}),
                              user(services, "clerk"))
    return services


def api_client(services, username: str = "clerk") -> TestClient:
    token = services.web.create_token(user(services, "admin"), username)
    return TestClient(create_app(services), headers={"Authorization": f"Bearer {token}"})


def new_request(**changes) -> dict:
    body = {"agency": AGENCY, "channel": "in_person", "subject": "预算",
            "applicant": {"kind": "natural_person", "name": "王五", "id_number": VALID_ID_NUMBER}}
    return {**body, **changes}


def assert_input_error(answer, field: str, status: int = 422) -> None:
    assert answer.status_code == status, answer.text[:300]
    body = answer.json()
    assert set(body) == {"error", "rule"} and field in body["error"], body


def assert_error_page(answer, status: int, *words: str) -> None:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>" in answer.text and all(word in answer.text for word in words), answer.text[:600]


# -- the pure rules ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_request_id_outside_the_documented_pattern_is_refused(bad):
    with pytest.raises(InputRefused, match="^申请编号（id）："):
        check_request_id(bad)


@pytest.mark.parametrize("good", GOOD_IDS)
def test_a_request_id_of_letters_digits_cjk_and_dash_underscore_dot_is_taken(good):
    assert check_request_id(good) == good


def test_the_longest_request_id_fits_every_column_that_holds_it():
    longest_prefix = max(len(REQUEST_STREAM), len(ASSIGNMENT_STREAM))
    assert REQUEST_ID_MAX + longest_prefix <= events_table.c.stream_id.type.length
    assert REQUEST_ID_MAX <= requests_table.c.request_id.type.length
    assert REQUEST_ID_MAX + 1 + 40 <= tasks_table.c.id.type.length  # REQUEST_ID/TYPE


def test_gb_11643_check_digit_and_birth_date():
    assert id_check_digit("11010519491231002") == "X"
    assert check_id_card_number(VALID_ID_NUMBER) == VALID_ID_NUMBER
    assert check_id_card_number("11010519491231002x") == VALID_ID_NUMBER  # x is X
    assert check_id_card_number("１１０１０５１９４９１２３１００２Ｘ") == VALID_ID_NUMBER  # full-width: NFKC
    for wrong, why in (("110105194912310021", "校验码"), ("110105194902300028", "出生日期"),
                       ("110105491231002", "15 位"), ("11010519491231002", "18 位"), ("1101051949123100ZX", "18 位")):
        with pytest.raises(InputRefused, match=why):
            check_id_card_number(wrong)


def test_only_a_natural_persons_number_that_looks_like_an_id_card_is_checked_as_one():
    with pytest.raises(InputRefused, match="校验码"):
        check_applicant_id_number("110105194912310021", "natural_person")
    assert check_applicant_id_number("E12345678", "natural_person") == "E12345678"  # a passport
    assert check_applicant_id_number("91371300MA3C123456", "commercial") == "91371300MA3C123456"  # a credit code


def test_phones_mobile_and_landline_full_width_digits_normalised():
    assert check_phone("13805391234") == "13805391234"
    assert check_phone("１３８０５３９１２３４") == "13805391234"
    assert check_phone("+86 138 0539 1234") == "+86 138 0539 1234"
    assert check_phone("010-12345678") == "010-12345678"
    assert check_phone("0539-8123456转123") == "0539-8123456转123"
    for wrong in ("12805391234", "1380539123", "12345678", "138-0539-123x", "phone"):
        with pytest.raises(InputRefused, match="^联系电话（phone）："):
            check_phone(wrong)


# -- request ids at every door -------------------------------------------------------------------------------------------
UNREACHABLE_IDS = ["a/b", "../x", "x y#z?"]  # registered before this issue, then no URL reached them


def test_an_unreachable_request_id_is_refused_by_the_api_and_nothing_is_written(site):
    before, api = site.queries.queue_of(None), api_client(site)
    for bad in UNREACHABLE_IDS:
        assert_input_error(api.post("/api/v1/requests", json=new_request(id=bad)), "id")
    assert site.queries.queue_of(None) == before


def test_an_unreachable_request_id_is_refused_by_the_registration_form_in_chinese(site):
    client = signed_in(site, "clerk")
    token = csrf(client.get("/requests/new").text)
    answer = client.post("/requests/new", data={"csrf_token": token, "id": "a/b", "agency": AGENCY, "kind": "natural_person",
                                                "applicant_name": "王五", "channel": "in_person", "subject": "预算"})
    # post/redirect/get: the refusal is shown on the form it came from (the 303 followed)
    assert answer.url.path == "/requests/new" and "申请编号（" in answer.text and "只能由字母" in answer.text


def test_an_unreachable_request_id_is_refused_by_the_service_and_the_import(site):
    clerk = user(site, "clerk")
    for bad in UNREACHABLE_IDS:
        with pytest.raises(InputRefused, match="^申请编号（id）："):
            site.requests.receive(c.Receive(at=site.clock.now(), request_id=bad, agency=AGENCY, channel="in_person",
                                            subject="s", applicant={"kind": "natural_person", "name": "王五"}), clerk)
        line = json.dumps({"id": bad, "agency": AGENCY, "applicant": {"kind": "natural_person", "name": "王五"},
                           "channel": "in_person", "received_at": "2026-03-02", "subject": "s"})
        with pytest.raises(ImportRefused, match="申请编号（id）：只能由字母"):
            import_lines(site.requests, [(1, line)], user(site))


def test_the_cli_refuses_an_unreachable_request_id(ready):
    refused = ready("request", "new", "--id", "a/b", "--agency", AGENCY, "--kind", "natural_person", "--name", "王五",
                    "--channel", "in_person", "--subject", "预算", ok=False)
    assert refused.returncode != 0 and "只能由字母、数字、汉字" in refused.stderr + refused.stdout


def test_the_cli_refuses_an_over_long_or_undecodable_argument_by_name(ready):
    long_name = ready("request", "new", "--id", "L-1", "--agency", AGENCY, "--kind", "natural_person",
                      "--name", "王" * 201, "--channel", "in_person", "--subject", "预算", ok=False)
    assert long_name.returncode == 1 and "名称（name）：最长 200 个字符" in long_name.stderr
    undecodable = ready("request", "new", "--id", "L-2", "--agency", AGENCY, "--kind", "natural_person",
                        "--name", os.fsdecode(b"\xff\xfe"), "--channel", "in_person", "--subject", "预算", ok=False)
    assert undecodable.returncode == 1 and "孤立的代理字符" in undecodable.stderr
    assert "内部错误" not in long_name.stderr + undecodable.stderr


def test_an_agencys_default_correction_period_is_bounded_like_a_notices_art_30(site):
    client = signed_in(site, "admin")
    token = csrf(client.get("/admin").text)
    for days in (str(10**20), "121", "0"):
        answer = client.post("/admin/agencies", data={"csrf_token": token, "slug": "new-agency", "name": "新机关",
                                                      "correction_days": days}, follow_redirects=False)
        assert answer.status_code == 303 and "1–120" in client.get(answer.headers["location"]).text  # PRG


# -- the known 500s ------------------------------------------------------------------------------------------------------
def test_an_as_of_that_is_no_date_is_a_chinese_page_naming_as_of(site):
    client = signed_in(site, "clerk")
    for as_of in ("2026/12/01", "2026-02-30", "yesterday", "2026-12-01T25:00", "99999-01-01", "1-1-1"):
        assert_error_page(client.get("/requests/W-1", params={"as_of": as_of}), 422, "查看时点", "请填写日期（如 2026-12-01）")
        assert_error_page(client.get(f"/reports/{AGENCY}/2026", params={"as_of": as_of}), 422, "查看时点")
        replay = client.get("/audit/replay", params={"request_id": "W-1", "as_of": as_of}, follow_redirects=False)
        # the 审计 form's own name of the field (时点), and what it takes
        assert replay.status_code == 422 and "时点格式不对：日期（如 2026-12-01）" in replay.text


def test_an_as_of_with_an_offset_is_converted_to_beijing_time(site):
    client = signed_in(site, "clerk")
    assert client.get("/requests/W-1", params={"as_of": "2026-11-26T09:30+08:00"}).status_code == 200
    replay = client.get("/audit/replay", params={"request_id": "W-1", "as_of": "2026-11-26T01:30Z"},
                        follow_redirects=False)
    assert replay.status_code == 303 and "2026-11-26T09%3A30" in replay.headers["location"]


def test_a_year_outside_2008_to_2100_is_a_chinese_page_not_json(site):
    client, api = signed_in(site, "clerk"), api_client(site)
    for year in ("-1", "0", "2007", "2101", "99999999999999999999", "abc"):
        assert_error_page(client.get("/stats", params={"year": year}), 422, "年度", "输入有误")
        assert_error_page(client.get("/reports", params={"year": year}), 422, "年度")
        if year.isdigit():
            assert_error_page(client.get(f"/reports/{AGENCY}/{year}"), 422, "年度")
            assert_input_error(api.get(f"/api/v1/reports/{AGENCY}/{year}"), "year")


def test_an_api_page_out_of_bounds_is_422_naming_page(site):
    api = api_client(site)
    for page in (str(10**20), "0", "-1", "100001"):
        assert_input_error(api.get("/api/v1/requests", params={"page": page}), "page")
    assert api.get("/api/v1/requests", params={"page": "100000"}).json() == []


def test_a_lone_surrogate_in_api_json_is_422_naming_the_field(site):
    body = json.dumps(new_request(applicant={"kind": "natural_person", "name": "王\ud800五"}))  # "\ud800" escaped
    answer = api_client(site).post("/api/v1/requests", content=body, headers={"content-type": "application/json"})
    assert_input_error(answer, "applicant.name")
    act = api_client(site).post("/api/v1/requests/W-1/actions/ask_reasons", content='{"note": "\\udc00"}',
                                headers={"content-type": "application/json"})
    assert_input_error(act, "note")


def test_a_nul_byte_in_a_path_or_parameter_is_a_chinese_page_and_422_json_in_the_api(site):
    client, api = signed_in(site, "clerk"), api_client(site)
    for url in ("/requests/W-1%00", "/requests?agency=%00", "/stats?agency=a%00b", "/tasks?role=%00",
                "/reports/hedong-xzsp/2026?as_of=%00", "/audit/replay?request_id=%00&as_of=2026-01-01", "/lookup%00"):
        assert_error_page(client.get(url, follow_redirects=False), 422, "控制字符")
    for url in ("/api/v1/requests/W-1%00", "/api/v1/requests?agency=%00", "/api/v1/tasks?x%00=1"):
        assert_input_error(api.get(url), "U+0000")


def test_a_nul_byte_in_a_form_is_refused_before_any_route(site):
    client = signed_in(site, "clerk")
    token = csrf(client.get("/requests/new").text)
    answer = client.post("/requests/new", data={"csrf_token": token, "agency": AGENCY, "applicant_name": "王\x00五"})
    assert_error_page(answer, 422, "申请人姓名或名称：", "U+0000")
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["cache-control"] == "no-store"


def test_a_nul_byte_in_a_multipart_form_is_refused_too(site):
    client = signed_in(site, "admin")
    token = csrf(client.get("/admin").text)
    answer = client.post("/admin/agencies", files={"csrf_token": (None, token), "slug": (None, "a\x00b"),
                                                   "name": (None, "机关")})
    assert_error_page(answer, 422, "机关代码：", "U+0000")
    fine = client.post("/admin/agencies", files={"csrf_token": (None, token), "slug": (None, "multi-agency"),
                                                 "name": (None, "机关")}, follow_redirects=False)
    assert fine.status_code == 303  # the route reads the same body after the boundary


def test_a_login_name_over_100_characters_is_refused_as_a_wrong_login(site):
    client = TestClient(create_app(site))
    token = csrf(client.get("/login").text)
    answer = client.post("/login", data={"username": "u" * 101, "password": "x", "csrf_token": token})
    assert 400 <= answer.status_code < 500 and answer.headers["content-type"].startswith("text/html")
    assert len("u" * 101) > users_table.c.username.type.length


def test_an_applicant_name_or_id_over_the_column_is_422_and_the_log_keeps_no_name(site, caplog):
    api = api_client(site)
    for field, value in (("applicant.name", "王" * 201), ("id", "x" * 201)):
        body = new_request(id=value) if field == "id" else new_request(applicant={"kind": "natural_person", "name": value})
        with caplog.at_level(logging.DEBUG):
            answer = api.post("/api/v1/requests", json=body)
        assert_input_error(answer, field)
        assert value[:50] not in caplog.text


def test_an_applicant_name_over_the_column_on_the_form_names_the_field_in_chinese(site):
    client = signed_in(site, "clerk")
    token = csrf(client.get("/requests/new").text)
    answer = client.post("/requests/new", data={"csrf_token": token, "agency": AGENCY, "kind": "natural_person",
                                                "applicant_name": "王" * 201, "channel": "in_person", "subject": "预算"})
    assert answer.status_code == 422 and "最长 200 个字符" in answer.text


def test_a_body_over_1_mb_is_413_in_the_error_shape(site):
    answer = api_client(site).post("/api/v1/requests", json=new_request(subject="预" * 400_000))
    assert_input_error(answer, "1 MB", status=413)


def test_a_wrong_id_number_or_phone_is_refused_at_registration_naming_the_field(site):
    wrong = new_request(applicant={"kind": "natural_person", "name": "王五", "id_number": "110105194912310021"})
    assert_input_error(api_client(site).post("/api/v1/requests", json=wrong), "applicant.id_number")
    wrong = new_request(applicant={"kind": "natural_person", "name": "王五", "phone": "12345"})
    assert_input_error(api_client(site).post("/api/v1/requests", json=wrong), "applicant.phone")


def test_a_users_phone_is_a_mainland_number_normalised(site):
    admin = user(site, "admin")
    with pytest.raises(InputRefused, match="^联系电话（phone）："):
        site.directory.add_user(admin, "sms-user", Role.STAFF, PASSWORD, None, [AGENCY], phone="12345")
    site.directory.add_user(admin, "sms-user", Role.STAFF, PASSWORD, None, [AGENCY], phone="１３８ ０５３９ １２３４")
    assert user(site, "sms-user").phone == "138 0539 1234"


def test_an_api_call_without_its_body_names_the_body(site):
    assert_input_error(api_client(site).post("/api/v1/requests"), "body")


def test_a_full_width_phone_is_recorded_normalised(site):
    body = new_request(id="P-1", applicant={"kind": "natural_person", "name": "王五", "phone": "１３８０５３９１２３４"})
    assert api_client(site, "admin").post("/api/v1/requests", json=body).status_code == 201
    received = site.queries.history("P-1", viewer=user(site, "admin"))["events"][0]["payload"]["applicant"]
    assert "１" not in json.dumps(received, ensure_ascii=False)


def test_an_unexpected_error_is_a_chinese_500_page_with_an_id_and_the_log_withholds_its_message(site, caplog,
                                                                                            monkeypatch):
    personal = "".join(["赵", "六 ", "1101051949", "12310021"])  # never a literal on the line that raises

    def broken(*args, **kwargs):
        raise RuntimeError(personal)  # as a database error quotes an applicant's parameters

    client = signed_in(site, "clerk")
    monkeypatch.setattr(site.queries, "queue_of", broken)  # the API's list
    monkeypatch.setattr(site.tasks.queue, "search", broken)  # the page's (申请列表, searched and filtered)
    with caplog.at_level(logging.DEBUG):
        answer = client.get("/requests")
        api = api_client(site).get("/api/v1/requests")
    assert_error_page(answer, 500, "服务器内部错误", answer.headers["x-error-id"])
    assert api.status_code == 500 and api.json()["rule"] == "internal" and api.headers["x-error-id"] in api.json()["error"]
    assert answer.headers["x-error-id"] in caplog.text and "RuntimeError" in caplog.text
    assert "赵六" not in caplog.text and "110105194912310021" not in caplog.text


# -- hypothesis over the routing table -----------------------------------------------------------------------------------
HOSTILE = ["<script>alert(1)</script>", '"><div hx-post="/admin/users" hx-trigger="load">', "\x00", "a\x00b", "\ud800",
           "x" * 10_000, "2026/12/01", "2026-02-30", "2026-12-01T09:30+08:00", "１２３４", "ＡＢＣ全角", "-1", "0",
           str(10**20), "1e400", "../x", "a/b", "x y#z?", "", " ", "W-1", AGENCY, "2026", "null", "王五"]
# values a form would hold, so that some calls get past the required fields to the services with a hostile one
PLAUSIBLE = ["2026-11-26", "10", "disclosed", "natural_person", "in_person", "receipt", "reply", "bangongshi",
             "per_request", "third_party", "consent", "staff", "on", "王五", "x1-agency"]
hostile = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(PLAUSIBLE), st.text(max_size=20))
FORM_FIELDS = ["id", "agency", "kind", "applicant_name", "name", "id_number", "phone", "subject", "channel", "as_of",
               "year", "page", "period_days", "working_days", "reply_days", "version", "amount_yuan", "approved_by",
               "outcome", "doc_type", "number", "username", "password", "role", "slug", "code", "correction_days",
               "item", "note", "reason", "due_on", "served_on", "department", "request_id", "query_code", "next"]


EXAMPLES_PER_ROUTE = int(os.environ.get("OGI_HOSTILE_EXAMPLES", "15"))  # ~15 s per role and database; more for a deep run


def encoded(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def url_for(path: str, params: dict[str, str], query: dict[str, str]) -> str:
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: encoded(params[m.group(1)]), path)
    return url + ("?" + "&".join(f"{encoded(k)}={encoded(v)}" for k, v in query.items()) if query else "")


def routes_of(app) -> list[tuple[str, str, list[str]]]:
    """(method, path, query parameter names) of every page route and of every API route (mounted at /api/v1)."""
    out = []
    for method, path in page_routes(app):
        if path in ("/logout",):
            continue  # signing out ends the session the rest of the run uses
        out.append((method, path))
    api = next(route.app for route in app.routes if getattr(route, "path", "") == "/api/v1")
    out += [(m, "/api/v1" + r.path) for r in api.routes if isinstance(r, APIRoute) for m in sorted(r.methods - {"HEAD"})]
    queries = {}
    for route in [*app.routes, *api.routes]:
        if isinstance(route, APIRoute):
            queries[route.path] = [p.name for p in route.dependant.query_params]
    return [(m, p, queries.get(p.removeprefix("/api/v1"), []) + ["as_of", "year"]) for m, p in out]


def hostile_calls(client: TestClient, token: str, bearer: dict, method: str, path: str, query_names: list[str]):
    """A hypothesis test of one route: hostile path parameters, query values and form (or JSON) fields; no 5xx, and a
    page's refusal is a page, never FastAPI's raw JSON."""
    names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
    is_api = path.startswith("/api/")

    @given(params=st.fixed_dictionaries({n: hostile for n in names}),
           query=st.dictionaries(st.sampled_from(query_names), hostile, max_size=3),
           form=st.dictionaries(st.sampled_from(FORM_FIELDS), hostile, max_size=6))
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(params, query, form):
        url = url_for(path, params, query)
        if method == "GET":
            answer = client.get(url, headers=bearer if is_api else {}, follow_redirects=False)
        elif is_api:
            answer = client.post(url, content=json.dumps(form), follow_redirects=False,
                                 headers={**bearer, "content-type": "application/json"})
        else:
            body = "&".join(f"{encoded(k)}={encoded(v)}" for k, v in {"csrf_token": token, **form}.items())
            answer = client.post(url, content=body, follow_redirects=False,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
        assert answer.status_code < 500, f"{method} {url[:200]} {form!r:.300}: {answer.text[:300]}"
        if not is_api and 400 <= answer.status_code < 500:
            assert answer.headers["content-type"].startswith("text/html"), f"{method} {url[:200]}: raw JSON"

    return call


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_no_hostile_path_query_or_form_value_gets_a_5xx_on_any_route(site, role):
    app = create_app(site)
    client = signed_in(site, role)
    token = csrf(client.get("/tasks").text)
    bearer = {"Authorization": f"Bearer {site.web.create_token(user(site, 'admin'), role)}"}
    routes = routes_of(app)
    assert len(routes) >= 40
    for method, path, query_names in routes:
        hostile_calls(client, token, bearer, method, path, query_names)()
