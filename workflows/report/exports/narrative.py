"""The narrative sections of the annual report, drafted from the figures (staff edit them before publishing).

The numbers and the year-on-year change ("同比增加166.67%") are computed here; the wording is in
templates/report/narrative.txt.j2, one paragraph per line, grouped by section with `## N` lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from engine.adapters.rendering import render
from workflows.report.annual import AnnualReport
from workflows.report.facts import OUTCOME_ROWS
from workflows.report.labels import outcome_group_and_item


def year_on_year(current: int, previous: int | None) -> str:
    """同比增加166.67% / 同比减少50% / 与上年持平; empty when last year is unknown or was zero."""
    if previous is None or previous == 0:
        return ""
    if current == previous:
        return "与上年持平"
    change = (Decimal(abs(current - previous)) * 100 / Decimal(previous)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = format(change.normalize(), "f")
    return f"同比{'增加' if current > previous else '减少'}{text}%"


def _short(group: str) -> str:
    """（二）部分公开（区分处理的，…） → 部分公开: the group's name without its number and its note."""
    name = group.split("）", 1)[1]
    return name.split("（", 1)[0]


def _outcome_phrases(report: AnnualReport) -> list[str]:
    phrases = []
    by_group: dict[str, int] = {}
    for row in OUTCOME_ROWS:
        group, _ = outcome_group_and_item(row)
        by_group[group] = by_group.get(group, 0) + report.table3[row][-1]
    for group, count in by_group.items():
        if count:
            phrases.append(f"{_short(group)}{count}件")
    return phrases


def narrative_context(report: AnnualReport) -> dict:
    t3, t4 = report.table3, report.table4
    previous_new = report.previous.table3["new"][-1] if report.previous is not None else None
    reviews, direct, after = t4["review"][-1], t4["litigation_direct"][-1], t4["litigation_after_review"][-1]
    return {
        "year": report.year, "agency_name": report.agency_name, "is_rollup": report.is_rollup,
        "member_count": len(report.members),
        "new": t3["new"][-1], "new_change": year_on_year(t3["new"][-1], previous_new), "previous_new": previous_new,
        "carried_in": t3["carried_in"][-1], "concluded": t3["total"][-1], "carried_out": t3["carried_out"][-1],
        "outcomes": _outcome_phrases(report),
        "natural_person": t3["new"][0], "organisations": sum(t3["new"][1:6]),
        "reviews": reviews, "review_corrected": t4["review"][1], "litigations": direct + after,
        "litigation_corrected": t4["litigation_direct"][1] + t4["litigation_after_review"][1],
        "pending_cases": t4["review"][3] + t4["litigation_direct"][3] + t4["litigation_after_review"][3],
        "table2": report.stated_table2,
    }


def narrative(report: AnnualReport) -> dict[str, list[str]]:
    """{"一": [paragraph, …], "二": […], …} for the sections that carry text."""
    text = render("report/narrative.txt.j2", **narrative_context(report))
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif line and current is not None:
            sections[current].append(line)
    return sections
