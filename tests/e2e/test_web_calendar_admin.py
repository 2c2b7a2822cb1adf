"""系统管理 › 工作日历 through the web (issue 19 item 8): the administrator sees a year's 节假日 and 调休上班日, adds a
year and corrects one; wrong input (markup, NUL, full-width dates, 2026-02-30, a weekday as 调休上班日, a day both,
huge) is refused in Chinese naming the field, never a 500; a correction moves the open requests' deadlines as
`ogi calendar set-year` does (recomputed as events). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tests.web_client import csrf, signed_in, site_world
from tests.world import user
from workflows.requests.calendar_input import date_ranges

SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"


@pytest.fixture
def world(services):
    return site_world(services)


@pytest.fixture
def admin(world) -> TestClient:
    return signed_in(world, "admin")


def _save(client: TestClient, year: int, holidays: str, workdays: str = "", source: str = SOURCE_2027):
    token = csrf(client.get(f"/admin/calendar/{year}").text)
    return client.post(f"/admin/calendar/{year}", data={"csrf_token": token, "holidays": holidays,
                                                          "workdays": workdays, "source": source},
                       follow_redirects=False)


def _reply_due(world) -> str:
    history = world.queries.history("W-1", viewer=user(world, "admin"))
    return history["deadlines"]["reply"]["due"]


def test_the_admin_adds_a_year_from_the_admin_page_and_sees_its_days(world, admin):
    page = admin.get("/admin").text
    assert 'action="/admin/calendar"' in page and "录入或更正其他年份" in page
    chosen = admin.get("/admin/calendar", params={"year": "２０２７"}, follow_redirects=False)  # full-width typed
    assert chosen.status_code == 303 and chosen.headers["location"] == "/admin/calendar/2027"
    empty = admin.get("/admin/calendar/2027").text
    assert "暂定" in empty and "录入2027年的安排" in empty
    saved = _save(admin, 2027, "2027-01-01\n２０２７－０２－０５～２０２７－０２－１１、2027-10-01 至 2027-10-07",
                  "2027-02-13，2027-10-09")
    assert saved.status_code == 303 and saved.headers["location"].startswith("/admin/calendar/2027?saved=")
    shown = admin.get(saved.headers["location"]).text
    assert "2027年工作日历已保存：节假日 15 天，调休上班日 2 天" in shown
    assert "2027-02-13 星期六" in shown and SOURCE_2027 in shown
    arrangement = world.queries.calendar().years[2027]
    assert dt.date(2027, 2, 8) in arrangement.holidays and arrangement.workdays == {dt.date(2027, 2, 13),
                                                                                    dt.date(2027, 10, 9)}
    assert arrangement.source == SOURCE_2027
    listed = admin.get("/admin").text.split('data-year="2027"')[1].split("</tr>")[0]
    assert "正式" in listed and "15 天" in listed and "查看或更正" in listed


def test_correcting_a_year_recomputes_the_open_deadlines_it_moves_as_the_cli_does(world, admin):
    before = _reply_due(world)
    current = world.queries.calendar().years[2026]
    extra = dt.date(2026, 12, 1)  # a Tuesday inside W-1's reply period made a holiday
    assert extra.weekday() == 1 and extra not in current.holidays
    form = admin.get("/admin/calendar/2026").text
    assert date_ranges(current.holidays).split("\n")[0] in form  # the form shows the year as it is
    saved = _save(admin, 2026, date_ranges(current.holidays) + "\n2026-12-01", date_ranges(current.workdays),
                  current.source + "（更正）")
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/calendar/2026?saved=1"
    assert "1 件未结申请的期限已按新安排重新计算" in admin.get(saved.headers["location"]).text
    after = _reply_due(world)
    assert dt.date.fromisoformat(after) > dt.date.fromisoformat(before)
    events = [e["type"] for e in world.queries.history("W-1", viewer=user(world, "admin"))["events"]]
    assert "deadlines_recomputed" in events  # recorded, not edited


HOSTILE = [
    ("holidays", "<script>alert(1)</script>", "节假日：“<script>alert(1)</script>”不是日期"),
    ("holidays", "2027-02-30", "节假日：“2027-02-30”不是有效日期"),
    ("holidays", "2026-10-01", "节假日：2026-10-01 不在 2027 年内"),
    ("holidays", "2027-02-11..2027-02-05", "结束日早于开始日"),
    ("holidays", "", "节假日：请填写 2027 年的法定节假日"),
    ("workdays", "2027-02-12", "调休上班日：2027-02-12（星期五）本来就是工作日"),
    ("workdays", "2027-01-02", "调休上班日：2027-01-02（星期六）也填在节假日中；同一天不能既放假又上班"),
    ("workdays", "二〇二七年二月十三日", "调休上班日：“二〇二七年二月十三日”不是日期"),
    ("source", "", "依据：请填写这一安排的依据"),
    ("source", "x" * 201, "依据：最长 200 个字符"),
]


@pytest.mark.parametrize(("field", "value", "said"), HOSTILE)
def test_a_wrong_year_is_refused_in_chinese_naming_the_field_and_keeps_what_was_typed(world, admin, field, value,
                                                                                        said):
    values = {"holidays": "2027-01-01..2027-01-03", "workdays": "", "source": SOURCE_2027, field: value}
    refused = _save(admin, 2027, values["holidays"], values["workdays"], values["source"])
    assert refused.status_code == 303 and refused.headers["location"] == "/admin/calendar/2027#year-form"
    page = admin.get(refused.headers["location"])
    assert page.status_code == 200
    shown = page.text.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'")
    assert said in shown, page.text[page.text.find("calendar-error") - 20:][:400]
    assert "<script>alert(1)</script>" not in page.text  # escaped, never markup
    if value and len(value) < 100:
        assert value.replace("<", "&lt;").replace(">", "&gt;") in page.text  # what was typed is kept
    assert not world.queries.calendar().has_year(2027)


@pytest.mark.parametrize(("value", "said"), [("2027-01-01\x00", "控制字符 U+0000"),
                                            ("2027-01-01," * 3000, "最长 20000 个字符")])
def test_a_nul_or_a_huge_field_is_refused_at_the_boundary_in_chinese_never_a_500(world, admin, value, said):
    refused = _save(admin, 2027, value)  # web/inputs.py refuses it before the route runs
    assert refused.status_code == 422 and said in refused.text
    assert not world.queries.calendar().has_year(2027)


def test_a_whole_year_of_dates_many_times_over_is_one_set_of_days(world, admin):
    saved = _save(admin, 2027, "2027-01-01..2027-12-31," * 800)  # under the boundary's limit, 365 days
    assert saved.status_code == 303
    assert len(world.queries.calendar().years[2027].holidays) == 365


def test_a_wrong_year_is_refused_on_the_admin_page_and_out_of_range_years_have_no_page(admin):
    refused = admin.get("/admin/calendar", params={"year": "abc<b>"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/admin#calendar"
    page = admin.get("/admin").text
    assert "年份：“abc&lt;b&gt;”不是年份" in page and "abc<b>" not in page
    early = admin.get("/admin/calendar", params={"year": "1900"}, follow_redirects=False)
    assert early.status_code == 303 and "年份须在 2008 至 2100 之间" in admin.get("/admin").text
    assert admin.get("/admin/calendar/99999").status_code == 422
