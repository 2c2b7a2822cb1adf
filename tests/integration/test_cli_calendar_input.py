"""`ogi calendar set-year` checks a year as the web's 工作日历 form does (issue 19 item 5): full-width digits and
“至” ranges are read, a weekday 调休上班日 or a date outside the year is refused in Chinese, naming the option."""

import json


def test_full_width_dates_and_ranges_are_read_as_the_form_reads_them(ready):
    out = ready("calendar", "set-year", "２０２７", "--holidays", "２０２７-０１-０１、2027-02-06 至 2027-02-12",
                "--workdays", "2027年2月14日", "--source", "国办发明电〔2026〕1号").stdout
    assert "已按国办发明电〔2026〕1号设置 2027 年日历：放假 8 天，调休上班 1 天" in out


def test_a_weekday_make_up_day_is_refused_naming_the_option(ready):
    refused = ready("calendar", "set-year", "2027", "--holidays", "2027-01-01", "--workdays", "2027-01-04",
                    "--source", "通知", ok=False)
    assert refused.returncode == 1
    assert "调休上班日（--workdays）：2027-01-04（星期一）本来就是工作日" in refused.stderr


def test_a_date_of_another_year_and_a_missing_source_are_refused(ready):
    other_year = ready("calendar", "set-year", "2027", "--holidays", "2026-12-31", "--source", "通知", ok=False)
    assert "节假日（--holidays）：2026-12-31 不在 2027 年内" in other_year.stderr
    no_source = ready("calendar", "set-year", "2027", "--holidays", "2027-01-01", ok=False)
    assert "依据（--source）：请填写这一安排的依据" in no_source.stderr
    bad_year = ready("calendar", "set-year", "27", "--holidays", "2027-01-01", "--source", "通知", ok=False)
    assert "年份（YEAR）：“27”不是年份" in bad_year.stderr


def test_a_json_file_gets_the_same_checks(ready, tmp_path):
    data = tmp_path / "2027.json"
    data.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": ["2027-01-01"], "source": "通知"}),
                    encoding="utf-8")
    refused = ready("calendar", "set-year", "2027", "--file", str(data), ok=False)
    assert "调休上班日（--workdays）：2027-01-01（星期五）" in refused.stderr
    data.write_text("{not json", encoding="utf-8")
    assert "2027.json 不是 UTF-8 编码的 JSON 文件" in ready("calendar", "set-year", "2027", "--file", str(data),
                                                         ok=False).stderr
