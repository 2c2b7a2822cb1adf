"""The annual report (年度报告) on the web (DESIGN §5, §10): tables 二/三/四 in the official layout with every figure
of 三 and 四 linked to the requests it counts, the report's checks, downloads in every export format, publication
(负责人) and the table 二 register. The same features as `ogi report` and `ogi register`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web import inputs
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.templating import page
from workflows.foi.vocabulary import OUTCOME_LABELS
from workflows.people.accounts import APPROVING_ROLES, User
from workflows.report.exports import BINARY_FORMATS, FORMATS, export
from workflows.report.exports.layout import (
    TABLE3_COLUMN_LABELS,
    TABLE4_COLUMN_LABELS,
    TABLE4_GROUPS,
    report_notes,
    report_title,
    spans,
    table2_blocks,
    table3_rows,
)
from workflows.report.facts import TABLE3_COLUMNS, TABLE4_COLUMNS, TABLE4_ROWS
from workflows.report.labels import BALANCE_NOTE, MEASURE_LABELS, REGISTER_BLOCKS, REGISTER_ITEMS, column_label, row_label

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]

MEDIA_TYPES = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {"text": "txt"}
FORMAT_LABELS = {"json": "JSON", "text": "纯文本", "csv": "CSV", "html": "网页（可打印）", "xlsx": "Excel 表格",
                 "docx": "Word 文档"}
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def _as_of(value: str | None) -> dt.datetime | None:
    return inputs.moment(value)  # a date (its start) or an ISO time; else 422 naming as_of


def _options(as_of: str | None, own_only: bool) -> str:
    """The query string that keeps the page's view (as of, own only) on its links."""
    query = {k: v for k, v in (("as_of", as_of or ""), ("own_only", "1" if own_only else "")) if v}
    return ("?" + urlencode(query)) if query else ""


def _allowed(app, user: User, agency: str, write: bool = False) -> bool:
    try:
        app.directory.check_access(user, agency, write=write)
    except OgiError:
        return False
    return True


# -- the chooser ---------------------------------------------------------------------------------------------------
@router.get("/reports")
def reports_index(request: Request, user: Viewer, agency: str | None = None, year: inputs.YearQuery = None) -> Response:
    app = services(request)
    if agency and year:
        return RedirectResponse(f"/reports/{agency}/{year}", status_code=303)
    agencies = [a for a in app.directory.agencies() if _allowed(app, user, a.slug)]
    this_year = app.clock.now().year
    return page(request, "reports_index.html.j2", agencies=agencies, years=list(range(this_year, this_year - 6, -1)),
                year=year or this_year)


# -- downloads -----------------------------------------------------------------------------------------------------
@router.get("/reports/{agency}/{year:int}.{fmt}")
def report_download(request: Request, agency: str, year: inputs.Year, fmt: str, user: Viewer, as_of: str | None = None,
                    own_only: bool = False) -> Response:
    app = services(request)
    if fmt not in FORMATS:
        raise OgiError(f"下载格式“{fmt}”不可用，可选：{'、'.join(FORMATS)}")
    built = app.reports.annual(year, agency, _as_of(as_of), own_only, viewer=user)
    content = export(built, fmt)
    filename = f"ogi-report-{agency}-{year}{'-own' if own_only else ''}.{EXTENSIONS.get(fmt, fmt)}"
    disposition = "attachment" if fmt in BINARY_FORMATS or fmt == "csv" else "inline"
    return Response(content, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


# -- the report page -----------------------------------------------------------------------------------------------
@router.get("/reports/{agency}/{year:int}")
def report_page(request: Request, agency: str, year: inputs.Year, user: Viewer, as_of: str | None = None,
                own_only: bool = False) -> Response:
    return _report_page(request, agency, year, user, as_of, own_only)


def _report_page(request: Request, agency: str, year: int, user: User, as_of: str | None = None, own_only: bool = False,
                 error: dict | None = None, failed_form: str | None = None, values: dict | None = None,
                 notice: str | None = None) -> Response:
    app = services(request)
    report = app.reports.annual(year, agency, _as_of(as_of), own_only, viewer=user)
    may_write = as_of is None and _allowed(app, user, agency, write=True)
    rows3 = table3_rows(report)
    entered: dict[str, dict[str, str]] = {}  # the agency's own figures (a roll-up's table sums those below it)
    if may_write:
        for entry in app.reports.register_history(year, agency, viewer=user):
            entered[entry["item"]] = entry["figures"]
    return page(
        request, "report.html.j2", status_code=422 if error else 200, report=report, title=report_title(report),
        notes=report_notes(report), agency=agency, year=year, as_of=as_of or "", own_only=own_only,
        options=_options(as_of, own_only), formats=FORMATS, format_labels=FORMAT_LABELS,
        extensions=EXTENSIONS, table2=table2_blocks(report), table3=rows3,
        heading_spans=spans([r.heading for r in rows3]), group_spans=spans([r.group for r in rows3]),
        table3_columns=TABLE3_COLUMNS, table3_column_labels=TABLE3_COLUMN_LABELS, table4_groups=TABLE4_GROUPS,
        table4_rows=TABLE4_ROWS, table4_columns=TABLE4_COLUMNS, table4_column_labels=TABLE4_COLUMN_LABELS,
        balance_note=BALANCE_NOTE, row_label=row_label, column_label=column_label, table_names=TABLE_NAMES,
        register_items=REGISTER_ITEMS, register_blocks=REGISTER_BLOCKS, measure_labels=MEASURE_LABELS,
        entered=entered, may_write=may_write,
        may_publish=may_write and user.role in APPROVING_ROLES,
        error=error, failed_form=failed_form, values=values or {}, notice=notice,
    )


# -- the drill-down ------------------------------------------------------------------------------------------------
@router.get("/reports/{agency}/{year:int}/cell")
def report_cell(request: Request, agency: str, year: inputs.Year, row: str, column: str, user: Viewer,
                as_of: str | None = None, own_only: bool = False) -> Response:
    app = services(request)
    listing = app.reports.cell(year, agency, row, column, _as_of(as_of), own_only, viewer=user)
    table = listing.table
    columns = TABLE3_COLUMNS if table == "table3" else TABLE4_COLUMNS
    figures = listing.report.current.table3 if table == "table3" else listing.report.current.table4
    stated = (listing.report.table3 if table == "table3" else listing.report.table4)[row][columns.index(column)]
    return page(request, "report_cell.html.j2", report=listing.report, agency=agency, year=year, table=table,
                table_name=TABLE_NAMES[table], row=row, column=column, row_label=row_label(row),
                column_label=column_label(column), items=listing.items(), outcome_labels=OUTCOME_LABELS,
                result_label=column_label, counted=figures[row][columns.index(column)], stated=stated,
                options=_options(as_of, own_only), as_of=as_of or "")


# -- publication and table 二 ---------------------------------------------------------------------------------------
@router.post("/reports/{agency}/{year:int}/publish")
def publish(request: Request, agency: str, year: inputs.Year, user: Viewer, reason: Annotated[str, Form()] = "",
            own_only: Annotated[bool, Form()] = False) -> Response:
    app = services(request)
    try:
        app.reports.publish(year, agency, user, reason.strip() or None, own_only)
    except OgiError as refused:
        if status_of(refused) != 422:
            raise
        return _report_page(request, agency, year, user, None, own_only, error=error_body(refused),
                            failed_form="publish", values={"reason": reason})
    return RedirectResponse(f"/reports/{agency}/{year}{_options(None, own_only)}#publication", status_code=303)


@router.post("/reports/{agency}/{year:int}/register")
async def register(request: Request, agency: str, year: inputs.Year, user: Viewer) -> Response:
    app = services(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    item = form.get("item", "")
    measures = REGISTER_ITEMS[item][1] if item in REGISTER_ITEMS else MEASURE_LABELS
    figures: dict[str, object] = {m: form[m].strip() for m in measures if form.get(m, "").strip()}
    try:
        app.reports.set_register_entry(year, agency, item, figures, form.get("note", "").strip(), user)
    except OgiError as refused:
        if status_of(refused) != 422:
            raise
        return _report_page(request, agency, year, user, error=error_body(refused), failed_form=f"register:{item}",
                            values=form)
    return RedirectResponse(f"/reports/{agency}/{year}#table2", status_code=303)
