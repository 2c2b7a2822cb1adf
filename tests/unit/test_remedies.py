"""The remedies paragraph of a reply (statute.md §10): pure tests of workflows/foi/remedies.py."""

from __future__ import annotations

import pytest

from workflows.foi.remedies import LEGAL_BASIS, RemedySettings, chinese_number, remedies_paragraph, review_first
from workflows.foi.vocabulary import Outcome

HEDONG = RemedySettings("河东区人民政府", "河东区人民法院")
TAX = RemedySettings("国家税务总局临沂市税务局", "临沂市兰山区人民法院", vertically_led=True)

GENERAL = ("如对本答复不服，可以自收到本答复之日起六十日内向河东区人民政府申请行政复议，"
           "也可以自收到本答复之日起六个月内向河东区人民法院提起行政诉讼。")
REVIEW_FIRST = ("根据《中华人民共和国行政复议法》第二十三条的规定，如对本答复不服，"
                "应当自收到本答复之日起六十日内先向河东区人民政府申请行政复议；"
                "对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向河东区人民法院提起行政诉讼；"
                "行政复议机关逾期不作决定的，可以自行政复议期满之日起十五日内向河东区人民法院提起行政诉讼。")
REGULATION = "《中华人民共和国政府信息公开条例》"
WITHHELD = [o for o in Outcome if o.value.startswith("withheld.")]


def family(prefix: str) -> list[Outcome]:
    return [o for o in Outcome if o.value.split(".", 1)[0] == prefix]


# --- one test per outcome family ------------------------------------------------------------------------------

def test_disclosed_outcome_rests_on_art36_items_1_2_and_may_go_to_review_or_court():
    assert LEGAL_BASIS[Outcome.DISCLOSED] == f"{REGULATION}第三十六条第（一）项、第（二）项"
    assert not review_first("disclosed")
    assert remedies_paragraph("disclosed", HEDONG) == GENERAL


def test_partial_outcome_rests_on_art37_and_its_withheld_part_is_review_first_xingzheng_fuyi_fa_art23():
    assert LEGAL_BASIS[Outcome.PARTIAL] == f"{REGULATION}第三十七条"
    assert review_first(Outcome.PARTIAL)
    assert remedies_paragraph(Outcome.PARTIAL, HEDONG) == (
        "根据《中华人民共和国行政复议法》第二十三条的规定，如对本答复中不予公开的部分不服，"
        "应当自收到本答复之日起六十日内先向河东区人民政府申请行政复议；"
        "对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向河东区人民法院提起行政诉讼；"
        "行政复议机关逾期不作决定的，可以自行政复议期满之日起十五日内向河东区人民法院提起行政诉讼。"
        "如对本答复的其他内容不服，可以自收到本答复之日起六十日内向河东区人民政府申请行政复议，"
        "也可以自收到本答复之日起六个月内向河东区人民法院提起行政诉讼。")


def test_withheld_outcome_rests_on_arts14_16_and_36_3_and_is_review_first_xingzheng_fuyi_fa_art23():
    assert len(WITHHELD) == 8
    expected = {
        Outcome.WITHHELD_STATE_SECRET: "第十四条、第三十六条第（三）项",
        Outcome.WITHHELD_LAW_FORBIDS: "第十四条、第三十六条第（三）项",
        Outcome.WITHHELD_SECURITY_STABILITY: "第十四条、第三十六条第（三）项",
        Outcome.WITHHELD_THIRD_PARTY: "第十五条、第三十六条第（三）项",
        Outcome.WITHHELD_INTERNAL_AFFAIRS: "第十六条第一款、第三十六条第（三）项",
        Outcome.WITHHELD_PROCESS_INFO: "第十六条第二款、第三十六条第（三）项",
        Outcome.WITHHELD_ENFORCEMENT_FILE: "第十六条第二款、第三十六条第（三）项",
        Outcome.WITHHELD_QUERY_MATTER: "第三十六条第（七）项",  # counted under 不予公开 （三）8, so review first too
    }
    for outcome in WITHHELD:
        assert LEGAL_BASIS[outcome] == REGULATION + expected[outcome]
        assert review_first(outcome) and review_first(outcome.value)
        assert remedies_paragraph(outcome.value, HEDONG) == REVIEW_FIRST


def test_unable_outcome_rests_on_art36_4_5_art38_art30_and_may_go_to_review_or_court():
    assert LEGAL_BASIS[Outcome.UNABLE_NOT_HELD] == f"{REGULATION}第三十六条第（四）项、第（五）项"
    assert LEGAL_BASIS[Outcome.UNABLE_NEEDS_CREATION] == f"{REGULATION}第三十八条"
    assert LEGAL_BASIS[Outcome.UNABLE_UNCLEAR] == f"{REGULATION}第三十条"
    for outcome in family("unable"):
        assert not review_first(outcome)
        assert remedies_paragraph(outcome, HEDONG) == GENERAL


def test_not_processed_outcome_rests_on_arts35_36_6_39_and_may_go_to_review_or_court():
    assert LEGAL_BASIS[Outcome.REJECTED_PETITION] == f"{REGULATION}第三十九条第一款"
    assert LEGAL_BASIS[Outcome.REJECTED_REPEAT] == f"{REGULATION}第三十六条第（六）项"
    assert LEGAL_BASIS[Outcome.REJECTED_PUBLICATION] == f"{REGULATION}第三十九条第二款"
    assert LEGAL_BASIS[Outcome.REJECTED_MASS_REPEAT] == f"{REGULATION}第三十五条"
    assert LEGAL_BASIS[Outcome.REJECTED_CONFIRM_REISSUE] == f"{REGULATION}第二条、第三十八条"
    for outcome in family("rejected"):
        assert not review_first(outcome)
        assert remedies_paragraph(outcome, HEDONG) == GENERAL


def test_other_outcome_rests_on_art30_art42_and_109hao_and_may_go_to_review_or_court():
    assert LEGAL_BASIS[Outcome.OTHER_NO_CORRECTION] == f"{REGULATION}第三十条"
    assert LEGAL_BASIS[Outcome.OTHER_UNPAID_FEE] == (
        f"{REGULATION}第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）")
    assert LEGAL_BASIS[Outcome.OTHER_OTHER] == REGULATION
    for outcome in family("other"):
        assert not review_first(outcome)
        assert remedies_paragraph(outcome, HEDONG) == GENERAL


# --- the agency ---------------------------------------------------------------------------------------------------

def test_vertically_led_agency_is_reviewed_by_the_next_higher_department_xingzheng_fuyi_fa_art27():
    for outcome in Outcome:
        text = remedies_paragraph(outcome, TAX)
        assert "向国家税务总局临沂市税务局申请行政复议" in text and "向临沂市兰山区人民法院提起行政诉讼" in text
        assert "人民政府" not in text
    assert remedies_paragraph("withheld.third_party", TAX).startswith(
        "根据《中华人民共和国行政复议法》第二十三条的规定，如对本答复不服，应当自收到本答复之日起六十日内先向"
        "国家税务总局临沂市税务局申请行政复议；")


def test_a_government_cannot_review_a_vertically_led_agency_art27():
    with pytest.raises(ValueError, match="实行垂直领导的机关由上一级主管部门复议"):
        RemedySettings("临沂市人民政府", "临沂市兰山区人民法院", vertically_led=True)


def test_a_department_is_not_reviewed_by_its_superior_since_2023_art24():
    with pytest.raises(ValueError, match="行政复议机关是本级人民政府"):
        RemedySettings("上级主管部门", "河东区人民法院")
    with pytest.raises(ValueError, match="行政复议机关是本级人民政府"):
        RemedySettings("市上一级主管部门", "河东区人民法院")


@pytest.mark.parametrize("kwargs, match", [
    ({"review_days": 30}, "不少于 60 日"),
    ({"suit_months": 3}, "6 个月"),
    ({"court": "  "}, "须写明行政复议机关和人民法院的名称"),
    ({"review_body": ""}, "须写明行政复议机关和人民法院的名称"),
    ({"court": "河东区人民政府"}, "不是人民法院"),
])
def test_settings_that_would_shorten_or_misname_a_remedy_are_refused(kwargs, match):
    given = {"review_body": "河东区人民政府", "court": "河东区人民法院", **kwargs}
    with pytest.raises(ValueError, match=match):
        RemedySettings(**given)


def test_a_longer_review_period_of_another_law_is_stated_in_words_art20():
    longer = RemedySettings("河东区人民政府", "河东区人民法院", review_days=90, suit_months=12)
    text = remedies_paragraph("disclosed", longer)
    assert "九十日内向河东区人民政府申请行政复议" in text and "十二个月内向河东区人民法院提起行政诉讼" in text


# --- every outcome --------------------------------------------------------------------------------------------

def test_every_outcome_has_a_legal_basis_in_the_regulation():
    assert set(LEGAL_BASIS) == set(Outcome)
    assert all(basis.startswith(REGULATION) for basis in LEGAL_BASIS.values())


@pytest.mark.parametrize("settings", [HEDONG, TAX], ids=["government", "vertically_led"])
@pytest.mark.parametrize("outcome", list(Outcome), ids=lambda o: o.value)
def test_no_paragraph_names_a_generic_superior_or_three_months(outcome, settings):
    text = remedies_paragraph(outcome, settings)
    for outdated in ("上级主管部门", "三个月", "3个月", "3 个月", "60日", "6个月", "15日"):
        assert outdated not in text
    assert text.count(settings.review_body) >= 1 and text.count(settings.court) >= 1
    assert "六十日内" in text
    # a suit within six months only where review is not required for all of the reply
    assert ("六个月内" in text) == (not review_first(outcome) or outcome is Outcome.PARTIAL)
    if review_first(outcome):
        assert "第二十三条" in text and "先向" in text and "十五日内" in text


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        remedies_paragraph("withheld.other", HEDONG)
    with pytest.raises(ValueError):
        review_first("refused")


@pytest.mark.parametrize("n, words", [(6, "六"), (10, "十"), (15, "十五"), (20, "二十"), (60, "六十"), (99, "九十九"),
                                      (100, "一百"), (105, "一百零五"), (110, "一百一十"), (180, "一百八十")])
def test_periods_are_written_in_chinese_numerals(n, words):
    assert chinese_number(n) == words
