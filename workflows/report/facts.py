"""What the annual report needs to know about one request, and which cells of which year it counts in.

Pure: the counting rules of DESIGN §5 live here and nowhere else. The report adds up `cells_in_year`,
the drill-down lists the requests whose cells contain the asked one, and the published-report watch
compares a request's cells before and after an event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from workflows.foi.state import RequestState
from workflows.foi.vocabulary import ApplicantKind, CaseResult, Outcome

APPLICANT_COLUMNS: tuple[str, ...] = tuple(k.value for k in ApplicantKind)
TABLE3_COLUMNS: tuple[str, ...] = (*APPLICANT_COLUMNS, "total")
OUTCOME_ROWS: tuple[str, ...] = tuple(o.value for o in Outcome)
TABLE3_ROWS: tuple[str, ...] = ("new", "carried_in", *OUTCOME_ROWS, "total", "carried_out")

CASE_RESULTS: tuple[str, ...] = tuple(r.value for r in CaseResult)
TABLE4_COLUMNS: tuple[str, ...] = (*CASE_RESULTS, "pending", "total")
TABLE4_ROWS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")

Cell = tuple[str, str, str]  # (table, row, column): ("table3", "disclosed", "natural_person")


@dataclass(frozen=True)
class CaseFacts:
    row: str  # review | litigation_direct | litigation_after_review
    case: str
    filed_on: dt.date
    result: str | None = None
    closed_on: dt.date | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "case": self.case, "filed_on": self.filed_on.isoformat(), "result": self.result,
                "closed_on": self.closed_on.isoformat() if self.closed_on else None}

    @classmethod
    def from_dict(cls, d: dict) -> CaseFacts:
        return cls(d["row"], d["case"], dt.date.fromisoformat(d["filed_on"]), d["result"],
                   dt.date.fromisoformat(d["closed_on"]) if d["closed_on"] else None)


@dataclass(frozen=True)
class RequestFacts:
    request_id: str
    agency: str
    applicant_kind: str
    received_on: dt.date
    concluded_on: dt.date | None  # the decision (or withdrawal) date
    outcome: str | None
    cases: tuple[CaseFacts, ...] = ()

    def cases_json(self) -> str:
        return json.dumps([c.as_dict() for c in self.cases], sort_keys=True, ensure_ascii=False)


def facts_of(state: RequestState) -> RequestFacts | None:
    """None before receipt, and for a request to correct records (Art. 41): such a request counts nowhere."""
    if state.received_on is None or state.applicant_kind is None or state.procedure == OUTSIDE_REPORT:
        return None
    cases = [CaseFacts("review", c.case, c.filed_on, c.result, c.closed_on) for c in state.reviews.values()]
    cases += [CaseFacts("litigation_after_review" if c.after_review else "litigation_direct", c.case, c.filed_on, c.result,
                        c.closed_on) for c in state.litigations.values()]
    return RequestFacts(state.request_id, state.agency, state.applicant_kind, state.received_on, state.concluded_on,
                        state.outcome, tuple(sorted(cases, key=lambda c: (c.row, c.case))))


def cases_json_of(state: RequestState) -> str:
    """The `cases` column of the requests read model: this request's cases as the report counts them, as JSON."""
    facts = facts_of(state)
    return facts.cases_json() if facts else "[]"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def table3_cells(facts: RequestFacts, year: int) -> list[Cell]:
    """Row 一 or 二 by the original receipt date; an outcome row or 四 by the conclusion date (DESIGN §5)."""
    first, last = year_bounds(year)
    if facts.received_on > last or (facts.concluded_on is not None and facts.concluded_on < first):
        return []
    column = facts.applicant_kind
    arrived = "new" if facts.received_on >= first else "carried_in"
    if facts.concluded_on is not None and facts.concluded_on <= last:
        # a conclusion without an outcome cannot be folded; counted as "" it fails the report's checks by name
        return [("table3", arrived, column), ("table3", facts.outcome or "", column)]
    return [("table3", arrived, column), ("table3", "carried_out", column)]


def case_column(case: CaseFacts, year: int) -> str | None:
    """Its result if closed in the year, "pending" if filed by 31 December and open then, else None."""
    first, last = year_bounds(year)
    if case.filed_on > last or (case.closed_on is not None and case.closed_on < first):
        return None
    return case.result if case.closed_on is not None and case.closed_on <= last else "pending"


def table4_cells(facts: RequestFacts, year: int) -> list[Cell]:
    """Cases closed in the year by result, plus those filed by 31 December and still pending then."""
    return [("table4", case.row, column) for case in facts.cases if (column := case_column(case, year)) is not None]


def cells_in_year(facts: RequestFacts, year: int) -> list[Cell]:
    return table3_cells(facts, year) + table4_cells(facts, year)


def years_touched(facts: RequestFacts | None, up_to: int) -> set[int]:
    """Every year (up to `up_to`) whose figures this request appears in."""
    if facts is None:
        return set()
    end = facts.concluded_on.year if facts.concluded_on else up_to
    years = set(range(facts.received_on.year, end + 1))
    for case in facts.cases:
        years |= set(range(case.filed_on.year, (case.closed_on.year if case.closed_on else up_to) + 1))
    return years


OUTSIDE_REPORT = "record_correction"  # the procedure of Art. 41: not an application for disclosure
