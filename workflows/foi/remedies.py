"""The legal basis and the remedies paragraph (救济途径) at the end of a reply (答复书), statute.md §10.

Since the 行政复议法 of 2023 (in force 2024-01-01):
- review (行政复议) within 60 days (Art. 20) before the people's government at the same level (Art. 24), or, for
  vertically led agencies, 税务 and 国家安全 (Art. 27), the next higher department — named per agency, never the
  outdated "向上级主管部门申请复议" of a department;
- a suit (行政诉讼) within 6 months (行政诉讼法 Art. 46), or within 15 days of receiving the review decision, or of
  the end of the review period when the review body does not decide (行政诉讼法 Art. 45);
- 复议前置 for "申请政府信息公开，行政机关不予公开" (Art. 23 ¶1 (4)), which the reply must say (Art. 23 ¶2).

Pure: the agency's settings in, the paragraph out. Readings of the open points are in docs/readings.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.foi.vocabulary import Outcome

REGULATION = "《中华人民共和国政府信息公开条例》"
FEE_MEASURES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
REVIEW_LAW = "《中华人民共和国行政复议法》"
MIN_REVIEW_DAYS = 60  # 行政复议法 Art. 20: a law may give more, the reply never states less
MIN_SUIT_MONTHS = 6  # 行政诉讼法 Art. 46
AFTER_REVIEW_DAYS = 15  # 行政诉讼法 Art. 45
GENERIC_SUPERIOR = ("上级主管部门", "上一级主管部门")

_WITHHELD_ITEM = "第三十六条第（三）项"

# outcome -> the provisions the reply rests on (DESIGN §2, statute.md §5 and §7.3), in citation form
LEGAL_BASIS: dict[Outcome, str] = {
    Outcome.DISCLOSED: f"{REGULATION}第三十六条第（一）项、第（二）项",
    Outcome.PARTIAL: f"{REGULATION}第三十七条",
    Outcome.WITHHELD_STATE_SECRET: f"{REGULATION}第十四条、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_LAW_FORBIDS: f"{REGULATION}第十四条、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_SECURITY_STABILITY: f"{REGULATION}第十四条、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_THIRD_PARTY: f"{REGULATION}第十五条、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_INTERNAL_AFFAIRS: f"{REGULATION}第十六条第一款、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_PROCESS_INFO: f"{REGULATION}第十六条第二款、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_ENFORCEMENT_FILE: f"{REGULATION}第十六条第二款、{_WITHHELD_ITEM}",
    Outcome.WITHHELD_QUERY_MATTER: f"{REGULATION}第三十六条第（七）项",
    Outcome.UNABLE_NOT_HELD: f"{REGULATION}第三十六条第（四）项、第（五）项",
    Outcome.UNABLE_NEEDS_CREATION: f"{REGULATION}第三十八条",
    Outcome.UNABLE_UNCLEAR: f"{REGULATION}第三十条",
    Outcome.REJECTED_PETITION: f"{REGULATION}第三十九条第一款",
    Outcome.REJECTED_REPEAT: f"{REGULATION}第三十六条第（六）项",
    Outcome.REJECTED_PUBLICATION: f"{REGULATION}第三十九条第二款",
    Outcome.REJECTED_MASS_REPEAT: f"{REGULATION}第三十五条",
    # not in the Regulation (only report row 三(五)5): not a request for information held (Art. 2), and a
    # confirmation or a new copy would be information made for the applicant (Art. 38)
    Outcome.REJECTED_CONFIRM_REISSUE: f"{REGULATION}第二条、第三十八条",
    Outcome.OTHER_NO_CORRECTION: f"{REGULATION}第三十条",
    Outcome.OTHER_UNPAID_FEE: f"{REGULATION}第四十二条和{FEE_MEASURES}",
    # withdrawal and the like: no article of its own; staff state the particular ground in the note
    Outcome.OTHER_OTHER: REGULATION,
}


@dataclass(frozen=True)
class RemedySettings:
    """The agency's remedies: its review body (行政复议机关) and its court, by name.

    `review_body` is the people's government at the same level (行政复议法 Art. 24), or for a vertically led agency
    (Art. 27: 海关、金融、外汇管理, 税务, 国家安全 …) the next higher department, e.g. 国家税务总局临沂市税务局.
    """

    review_body: str
    court: str
    vertically_led: bool = False
    review_days: int = MIN_REVIEW_DAYS
    suit_months: int = MIN_SUIT_MONTHS

    def __post_init__(self) -> None:
        problem = _settings_problem(self)
        if problem:
            raise ValueError(f"救济途径设置：{problem}")


def _settings_problem(s: RemedySettings) -> str | None:
    if not s.review_body.strip() or not s.court.strip():
        return "须写明行政复议机关和人民法院的名称"
    if "法院" not in s.court:
        return f"“{s.court}”不是人民法院，请写明管辖的人民法院"
    if not s.vertically_led and any(g in s.review_body for g in GENERIC_SUPERIOR):
        return ("依2023年修订的《中华人民共和国行政复议法》第二十四条，行政复议机关是本级人民政府，请写明其名称"
                "（只有实行垂直领导的机关由上一级主管部门复议，第二十七条）")
    if s.vertically_led and "人民政府" in s.review_body:
        return "实行垂直领导的机关由上一级主管部门复议（《中华人民共和国行政复议法》第二十七条），不是人民政府"
    if s.review_days < MIN_REVIEW_DAYS:
        return f"申请行政复议的期限不少于 {MIN_REVIEW_DAYS} 日（《中华人民共和国行政复议法》第二十条）"
    if s.suit_months < MIN_SUIT_MONTHS:
        return f"提起行政诉讼的期限为 {MIN_SUIT_MONTHS} 个月（《中华人民共和国行政诉讼法》第四十六条）"
    return None


def review_first(outcome: Outcome | str) -> bool:
    """Whether the applicant must apply for review before suing (复议前置, 行政复议法 Art. 23 ¶1 (4)).

    Reading (statute.md §10 confirms Art. 23 only through secondary sources): "行政机关不予公开" covers every
    outcome the annual report counts as 不予公开 — all eight `withheld.*` rows, including `withheld.query_matter`
    (Art. 36(7), counted under （三）8) — and the withheld part of `partial` (部分不予公开, as the 司法部 guidance
    国办函〔2021〕132号 Art. 2(1) puts it). 无法提供 (`unable.*`), 不予处理 (`rejected.*`) and 其他处理 (`other.*`)
    are decisions of other kinds (the same guidance lists them beside 不予公开), so review or suit is the
    applicant's choice there. Where in doubt the reply says review first: a review is always open to the
    applicant, while a suit filed directly where review was required is dismissed after the review period ran out.
    """
    code = Outcome(outcome)
    return code is Outcome.PARTIAL or code.value.startswith("withheld.")


def remedies_paragraph(outcome: Outcome | str, settings: RemedySettings) -> str:
    """The closing paragraph of the reply, in the agency's names and with the periods in Chinese numerals."""
    code = Outcome(outcome)
    if code is Outcome.PARTIAL:
        return (f"根据{REVIEW_LAW}第二十三条的规定，{_review_then_suit('如对本答复中不予公开的部分不服', settings)}"
                f"{_review_or_suit('如对本答复的其他内容不服', settings)}")
    if review_first(code):
        return f"根据{REVIEW_LAW}第二十三条的规定，{_review_then_suit('如对本答复不服', settings)}"
    return _review_or_suit("如对本答复不服", settings)


def _review_or_suit(lead: str, s: RemedySettings) -> str:
    return (f"{lead}，可以自收到本答复之日起{chinese_number(s.review_days)}日内向{s.review_body}申请行政复议，"
            f"也可以自收到本答复之日起{chinese_number(s.suit_months)}个月内向{s.court}提起行政诉讼。")


def _review_then_suit(lead: str, s: RemedySettings) -> str:
    after = chinese_number(AFTER_REVIEW_DAYS)
    return (f"{lead}，应当自收到本答复之日起{chinese_number(s.review_days)}日内先向{s.review_body}申请行政复议；"
            f"对行政复议决定不服的，可以自收到行政复议决定书之日起{after}日内向{s.court}提起行政诉讼；"
            f"行政复议机关逾期不作决定的，可以自行政复议期满之日起{after}日内向{s.court}提起行政诉讼。")


def chinese_number(n: int) -> str:
    """1–999 in Chinese numerals as periods are written: 六, 十五, 六十, 一百零五."""
    if not 0 < n < 1000:
        raise ValueError(f"期限 {n} 不在 1 至 999 之间")
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = f"{digits[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (digits[ones] if ones else "")
