"""The information processing fee (信息处理费) of 国办函〔2020〕109号: band tables, quotes, the monthly count.

Pure: standard library and workflows.foi only. statute.md §6 is the source of every figure; DESIGN §9 fixes the JSON
of `ogi fee quote`. Both methods are excess-progressive (超额累进, Art. 3): each band charges only the units inside it,
like tax brackets. One request is charged by one method only (Art. 3; the guard `fee_noticed_once` in definition.py).

- per_request (按件计收, Art. 4): the units are the applicant's requests in one calendar month (同一申请人一个自然月内
  累计), so the n-th request of a month bears the rate of the band that n falls in (`marginal_amount`).
  `requests_in_month`, `monthly_position` and `same_applicant` count them.
- by_volume (按量计收, Art. 5): the units are the pages of one request (per request, not per month: our reading,
  statute.md §6 marks it UNCONFIRMED).

Money is `Decimal`. Every 109号 rate is a whole number of yuan, so every amount is whole yuan (`YUAN`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workflows.foi.vocabulary import FeeMethod

YUAN = Decimal("1")  # the quantum of every amount: 109号 sets whole-yuan rates only
MAX_UNITS = 1_000_000  # requests in a month or pages of a request: a larger figure is a typing error


@dataclass(frozen=True)
class Band:
    """Units `start` to `end`, both included (`end` None: no upper end), at `rate_yuan` per unit."""

    start: int
    end: int | None
    rate_yuan: Decimal


@dataclass(frozen=True)
class Escalation:
    """Above the listed bands: bands of `width` units from `start`, each dearer by `step_yuan` per unit than the band
    below it (109号 Art. 4(三): 以10件为一档，每增加一档，收费标准提高100元/件). It has no top band."""

    start: int
    width: int
    step_yuan: Decimal


@dataclass(frozen=True)
class Tariff:
    method: FeeMethod
    unit: str  # 件 or 页
    counts: str  # what the units are
    source: str  # the article, and its lines in statute.md §6
    bands: tuple[Band, ...]
    escalation: Escalation | None = None

    def bands_reaching(self, units: int) -> Iterator[Band]:
        """The bands that hold at least one of units 1..`units`, lowest first."""
        for band in self.bands:
            if band.start > units:
                return
            yield band
        if self.escalation is None:
            return
        start, rate = self.escalation.start, self.bands[-1].rate_yuan
        while start <= units:
            rate += self.escalation.step_yuan
            yield Band(start, start + self.escalation.width - 1, rate)
            start += self.escalation.width


PER_REQUEST = Tariff(
    FeeMethod.PER_REQUEST, "件", "the applicant's requests in one calendar month (同一申请人一个自然月内累计)",
    "109号 Art. 4 (statute.md §6, 按件计收: 1–10 free; 11–30: 100 元/件; 31 and above: bands of 10, +100 元/件 each)",
    bands=(Band(1, 10, Decimal(0)), Band(11, 30, Decimal(100))),
    escalation=Escalation(start=31, width=10, step_yuan=Decimal(100)),  # 31–40: 200, 41–50: 300, 51–60: 400, …
)
BY_VOLUME = Tariff(
    FeeMethod.BY_VOLUME, "页", "the pages of one request",
    "109号 Art. 5 (statute.md §6, 按量计收: ≤30 pages free; 31–100: 10 元/页; 101–200: 20 元/页; ≥201: 40 元/页)",
    bands=(Band(1, 30, Decimal(0)), Band(31, 100, Decimal(10)), Band(101, 200, Decimal(20)),
           Band(201, None, Decimal(40))),
)
TARIFFS: dict[str, Tariff] = {PER_REQUEST.method.value: PER_REQUEST, BY_VOLUME.method.value: BY_VOLUME}


@dataclass(frozen=True)
class BandCharge:
    """What one band charges: the `units` of the quote inside `start`..`end`, at `rate_yuan`."""

    start: int
    end: int | None
    units: int
    rate_yuan: Decimal
    amount_yuan: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"from": self.start, "to": self.end, "units": self.units, "rate_yuan": _number(self.rate_yuan),
                "amount_yuan": _number(self.amount_yuan)}


@dataclass(frozen=True)
class Quote:
    """The fee for `units` 件 or 页 by `method`: the sum of the bands' charges (only bands holding units are listed)."""

    method: str
    units: int
    amount_yuan: Decimal
    bands: tuple[BandCharge, ...]

    def as_json(self) -> dict[str, Any]:
        """DESIGN §9: {"amount_yuan", "bands": [{"from", "to", "units", "rate_yuan", "amount_yuan"}]}, numbers as
        JSON numbers; "to" is null for the open top band."""
        return {"amount_yuan": _number(self.amount_yuan), "bands": [band.as_json() for band in self.bands]}


def tariff_for(method: str) -> Tariff:
    if not isinstance(method, str) or method not in TARIFFS:
        raise ValueError(f"收费方式（method）“{method}”不是可选的方式：按件计收（per_request，国办函〔2020〕109号第四条）"
                         "或按量计收（by_volume，第五条），同一申请只能选一种（第三条）")
    return TARIFFS[method]


def quote(method: str, units: int) -> Quote:
    """The fee for `units` by `method`, excess-progressive (超额累进, 109号 Art. 3).

    per_request: `units` is the applicant's count of requests in the calendar month (the month's total fee);
    by_volume: the pages of one request."""
    tariff = tariff_for(method)
    _check_units(tariff, units)
    charges = tuple(_charge(band, units) for band in tariff.bands_reaching(units))
    total = sum((charge.amount_yuan for charge in charges), Decimal(0)).quantize(YUAN)
    return Quote(tariff.method.value, units, total, charges)


def marginal_amount(method: str, already: int, units: int = 1) -> Decimal:
    """What `units` more cost when `already` were counted: the n-th request of a month (n = `monthly_position`)
    bears `marginal_amount("per_request", n - 1)`; a request split into k 件 (一事一申请, Art. 4) bears
    `marginal_amount("per_request", n - 1, k)`."""
    _check_units(tariff_for(method), units)
    if isinstance(already, bool) or not isinstance(already, int) or already < 0:
        raise ValueError(f"已计的数量应为 0 或正整数，不能是 {already!r}")
    before = quote(method, already).amount_yuan if already else Decimal(0)
    return quote(method, already + units).amount_yuan - before


def _check_units(tariff: Tariff, units: int) -> None:
    if isinstance(units, bool) or not isinstance(units, int):
        raise ValueError(f"{_COUNTED[tariff.method]}应为整数（{tariff.unit}），不能是 {units!r}")
    if not 1 <= units <= MAX_UNITS:
        raise ValueError(f"{_COUNTED[tariff.method]}应为 1 至 {MAX_UNITS} {tariff.unit}，不能是 {units}")


# what the units count, in the words of the refusals (按件计收 per calendar month, 按量计收 per request)
_COUNTED = {FeeMethod.PER_REQUEST: "按件计收的件数（同一申请人一个自然月内累计，--count）",
            FeeMethod.BY_VOLUME: "按量计收的页数（本申请的页数，--pages）"}


def _charge(band: Band, units: int) -> BandCharge:
    top = units if band.end is None else min(band.end, units)
    inside = top - band.start + 1
    return BandCharge(band.start, band.end, inside, band.rate_yuan, (band.rate_yuan * inside).quantize(YUAN))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# --- the per_request count: one applicant's requests in one calendar month (109号 Art. 4) ---

IDENTITY_KEYS = ("id_number", "credit_code")  # 身份证件号码 / 统一社会信用代码 (ogi keeps the latter in id_number)


def same_applicant(a: dict, b: dict) -> bool:
    """Whether two requests' applicants (as in `RequestState.applicant`) are one applicant for the monthly count.

    - Both give an identity number (`id_number`: the ID card number of a person or the 统一社会信用代码 of an
      organisation, which ogi records in the same field; `credit_code` is read too, for imports that carry it
      apart): the numbers decide, whatever the names and kinds. Numbers are compared after NFKC (full-width
      digits), upper case (the check letter X) and without spaces or hyphens. An old 15-digit ID card number or
      9-character organisation code is not matched to its 18-character successor.
    - Otherwise (one or both without a number): the same only when the kind is the same, the name is the same (after
      NFKC, spaces removed) and both give the same phone number (digits only, a +86 prefix dropped). A name alone
      never joins two applicants: namesakes are common, and joining them would charge one applicant for another's
      requests. When in doubt, not the same: the careful reading never raises a fee that cannot be shown to be due.
    """
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    if numbers_a and numbers_b:
        return bool(numbers_a & numbers_b)
    phone_a = _phone(a.get("phone"))
    return (bool(a.get("kind")) and a.get("kind") == b.get("kind")
            and bool(_compact(a.get("name"))) and _compact(a.get("name")) == _compact(b.get("name"))
            and bool(phone_a) and phone_a == _phone(b.get("phone")))


def requests_in_month(month_of: dt.date, applicant: dict, requests: Iterable[tuple[dt.date, dict]]) -> int:
    """How many of `requests` (receipt date, applicant) are the applicant's and were received in the calendar month
    of `month_of`: the `units` of `quote("per_request", …)` for that month. The caller passes one agency's requests
    (the agency that charges), including the one being charged."""
    month = _month(month_of)
    return sum(1 for day, other in requests if _month(day) == month and same_applicant(applicant, other))


def monthly_position(this_request_received: dt.date, this_applicant: dict,
                     others: Iterable[tuple[dt.date, dict] | tuple[dt.date, dict, str]],
                     this_request_id: str | None = None) -> int:
    """The place of this request among its applicant's requests of its calendar month: 1 + the other requests of the
    same applicant (`same_applicant`) received earlier in the same month. A new month starts again at 1.

    `others` are (receipt date, applicant) or (receipt date, applicant, request id); a datetime counts by its date
    (convert it to Asia/Shanghai first). Ties on the same day: another request counts as earlier only when both
    request ids are given and its id sorts before this one's (registration numbers, given in order of registration;
    a different width such as 9 against 10 sorts wrongly, so keep them zero-padded). Without both ids a same-day request
    does not count as earlier: the order cannot be shown, and the careful reading charges no more than can be shown.
    The entry with this request's own id is skipped."""
    day = _day(this_request_received)
    earlier = 0
    for other in others:
        other_day, applicant = _day(other[0]), other[1]
        other_id = other[2] if len(other) == 3 else None
        if this_request_id is not None and other_id == this_request_id:
            continue
        if _month(other_day) == _month(day) and _before(other_day, other_id, day, this_request_id) \
                and same_applicant(this_applicant, applicant):
            earlier += 1
    return earlier + 1


def _before(day: dt.date, request_id: str | None, this_day: dt.date, this_id: str | None) -> bool:
    if day != this_day:
        return day < this_day
    return request_id is not None and this_id is not None and request_id < this_id


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _month(value: dt.date) -> tuple[int, int]:
    return value.year, value.month


def _numbers(applicant: dict) -> frozenset[str]:
    numbers = (_compact(applicant.get(key)).upper().replace("-", "") for key in IDENTITY_KEYS)
    return frozenset(number for number in numbers if number)


def _compact(value: object) -> str:
    """NFKC (full-width letters and digits as ASCII), without spaces; "" for anything but a string."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", value) if not ch.isspace())


def _phone(value: object) -> str:
    if not isinstance(value, str):
        return ""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits
