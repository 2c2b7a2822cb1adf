"""Table 二 (主动公开): the register staff fill in per agency and year, kept as events with its own history.

Its figures are not derived from requests (DESIGN §5). Every change is an event `register_entry_set` in
the stream `register/AGENCY/YEAR`; the `register_entries` table is its read model.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, delete, insert, select

from engine.adapters.eventstore import EventStore, StoredEvent, StreamAppend
from engine.adapters.read_models import EventRowsReadModel
from engine.errors import OgiError
from engine.events import NewEvent
from workflows.people.accounts import User, get_agency
from workflows.report.labels import MEASURE_LABELS, REGISTER_ITEMS
from workflows.report.publish import watch_register
from workflows.report.years import check_report_year
from workflows.streams import REGISTER_STREAM
from workflows.tables import register_entries_table


class RegisterError(OgiError):
    pass


def register_stream(agency: str, year: int) -> str:
    return f"{REGISTER_STREAM}{agency}/{year}"


def empty_register() -> dict[str, dict[str, str]]:
    return {item: {m: "0" for m in measures} for item, (_, measures) in REGISTER_ITEMS.items()}


def normalise_figures(item: str, figures: dict[str, object]) -> dict[str, str]:
    """Checks one item's figures against table 二 and returns them as canonical text.

    Counts are whole numbers ≥ 0; the fee amount is in 万元 with at most 4 decimals (one yuan).
    """
    if item not in REGISTER_ITEMS:
        raise RegisterError(f"表二没有“{item}”这一项，可选：{'、'.join(REGISTER_ITEMS)}")
    label, measures = REGISTER_ITEMS[item]
    unknown = set(figures) - set(measures)
    if unknown:
        raise RegisterError(f"{label}（{item}）没有“{'、'.join(sorted(unknown))}”这一栏，可填：{'、'.join(measures)}")
    if not figures:
        raise RegisterError(f"{label}（{item}）：请至少填写一栏（{'、'.join('--' + m.replace('_', '-') for m in measures)}）")
    out = {}
    for measure, raw in figures.items():
        where = f"{label}（{item}）{MEASURE_LABELS[measure]}（{measure}）"
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise RegisterError(f"{where}：“{raw}”不是数字") from None
        if not value.is_finite() or value < 0:
            raise RegisterError(f"{where}：“{raw}”应为 0 或正数")
        if measure == "amount_wan":
            if value != value.quantize(Decimal("0.0001")):
                raise RegisterError(f"{where}：“{raw}”的小数超过 4 位（以万元计，精确到元）")
            out[measure] = format(value.normalize(), "f") if value else "0"
        else:
            if value != value.to_integral_value():
                raise RegisterError(f"{where}：“{raw}”应为整数")
            out[measure] = str(int(value))
    return out


def set_entry(engine, store: EventStore, now: dt.datetime, agency: str, year: int, item: str,
              figures: dict[str, object], note: str, actor: User) -> dict[str, str]:
    """Record one item's figures (the measures given replace the stored ones; the others stay)."""
    actor.require_write("fill in the table 二 register")
    check_report_year(year)
    clean = normalise_figures(item, figures)
    with engine.begin() as conn:
        get_agency(conn, agency)
        stream = register_stream(agency, year)
        version = store.stream_version(conn, stream)
        current = register_figures(conn, store, [agency], year).get(item, {})
        merged = {**current, **clean}
        payload = {"agency": agency, "year": year, "item": item, "figures": merged, "note": note}
        [stored] = store.append(conn, StreamAppend(stream, version, [NewEvent("register_entry_set", now, payload)],
                                                   actor.username), now)
        save_entry(conn, stored)
        watch_register(conn, store, now, actor.username, agency, year, item, current, merged)
    return merged


def save_entry(conn: Connection, stored: StoredEvent) -> None:
    """The read-model row of one `register_entry_set` event (also used by `ogi projections rebuild`)."""
    p = stored.payload
    t = register_entries_table
    conn.execute(delete(t).where((t.c.agency == p["agency"]) & (t.c.year == p["year"]) & (t.c.item == p["item"])))
    conn.execute(insert(t).values(agency=p["agency"], year=p["year"], item=p["item"], figures=json.dumps(p["figures"], sort_keys=True),
                                  note=p["note"], updated_at=stored.recorded_at, updated_by=stored.actor, version=stored.version))


REGISTER_READ_MODEL = EventRowsReadModel("register_entries", register_entries_table, REGISTER_STREAM, save_entry)


def register_figures(conn: Connection, store: EventStore, agencies: list[str], year: int,
                     as_of: dt.datetime | None = None) -> dict[str, dict[str, str]]:
    """The entered figures of the agencies for the year, summed over the agencies; items never entered are absent."""
    entries: dict[tuple[str, str], dict[str, str]] = {}
    if as_of is None:
        rows = conn.execute(select(register_entries_table).where(
            register_entries_table.c.agency.in_(agencies) & (register_entries_table.c.year == year)))
        for row in rows:
            entries[(row.agency, row.item)] = json.loads(row.figures)
    else:
        for agency in agencies:
            for event in store.read_stream(conn, register_stream(agency, year)):
                if event.recorded_at <= as_of:
                    entries[(agency, event.payload["item"])] = event.payload["figures"]
    summed: dict[str, dict[str, Decimal]] = {}
    for (_, item), figures in entries.items():
        target = summed.setdefault(item, {})
        for measure, value in figures.items():
            target[measure] = target.get(measure, Decimal(0)) + Decimal(value)
    return {item: {m: format(v.normalize(), "f") if v else "0" for m, v in figures.items()} for item, figures in summed.items()}


def register_with_blanks(entered: dict[str, dict[str, str]]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Every item and measure of table 二 (0 where nothing was entered), and the items still missing."""
    full = empty_register()
    missing = []
    for item, measures in full.items():
        if item not in entered:
            missing.append(item)
        measures.update(entered.get(item, {}))
    return full, missing


def register_history(conn: Connection, store: EventStore, agency: str, year: int) -> list[dict]:
    return [{"version": e.version, "item": e.payload["item"], "label": REGISTER_ITEMS[e.payload["item"]][0],
             "figures": e.payload["figures"], "note": e.payload["note"], "actor": e.actor,
             "recorded_at": e.recorded_at.isoformat(timespec="seconds")}
            for e in store.read_stream(conn, register_stream(agency, year))]
