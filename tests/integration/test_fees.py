"""The information processing fee of 国办函〔2020〕109号 (statute.md §6, DESIGN §9): pure tests of workflows/foi/fees.py."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from workflows.foi.fees import (
    BY_VOLUME,
    MAX_UNITS,
    PER_REQUEST,
    TARIFFS,
    Band,
    marginal_amount,
    monthly_position,
    quote,
    requests_in_month,
    same_applicant,
)


def bands_of(method: str, units: int) -> list[tuple]:
    return [(b.start, b.end, b.units, b.rate_yuan, b.amount_yuan) for b in quote(method, units).bands]


# --- the worked examples of statute.md §6 ---

def test_per_request_worked_example_109hao_art4():
    """35 requests in one month → 10×0 + 20×100 + 5×200 = 3,000 元."""
    q = quote("per_request", 35)
    assert q.amount_yuan == Decimal(3000)
    assert bands_of("per_request", 35) == [(1, 10, 10, 0, 0), (11, 30, 20, 100, 2000), (31, 40, 5, 200, 1000)]


def test_by_volume_worked_example_109hao_art5():
    """150 pages → 70×10 + 50×20 = 1,700 元 (the free 30 pages listed at 0)."""
    q = quote("by_volume", 150)
    assert q.amount_yuan == Decimal(1700)
    assert bands_of("by_volume", 150) == [(1, 30, 30, 0, 0), (31, 100, 70, 10, 700), (101, 200, 50, 20, 1000)]


# --- the band tables, as statute.md §6 gives them ---

def test_per_request_table_109hao_art4():
    assert PER_REQUEST.bands == (Band(1, 10, Decimal(0)), Band(11, 30, Decimal(100)))
    escalated = [(b.start, b.end, b.rate_yuan) for b in PER_REQUEST.bands_reaching(60)][2:]
    assert escalated == [(31, 40, 200), (41, 50, 300), (51, 60, 400)]  # "31–40: 200, 41–50: 300, 51–60: 400, …"


def test_by_volume_table_109hao_art5():
    assert BY_VOLUME.bands == (Band(1, 30, Decimal(0)), Band(31, 100, Decimal(10)), Band(101, 200, Decimal(20)),
                               Band(201, None, Decimal(40)))


@pytest.mark.parametrize("method", sorted(TARIFFS))
def test_bands_are_contiguous_from_one_and_never_cheaper_109hao_art3(method):
    bands = list(TARIFFS[method].bands_reaching(500))
    assert bands[0].start == 1
    for lower, upper in zip(bands, bands[1:], strict=False):
        assert lower.end is not None and upper.start == lower.end + 1
        assert upper.rate_yuan > lower.rate_yuan
    assert all(b.end is not None for b in bands[:-1])


# --- band edges: per_request 10/11, 30/31, 40/41 (and 50/51) requests; by_volume 30/31, 100/101, 200/201 pages ---

@pytest.mark.parametrize(("count", "total"), [
    (1, 0), (10, 0), (11, 100), (30, 2000), (31, 2200), (40, 4000), (41, 4300), (50, 7000), (51, 7400), (60, 11000),
    (61, 11500),
])
def test_per_request_band_edges_109hao_art4(count, total):
    assert quote("per_request", count).amount_yuan == Decimal(total)


@pytest.mark.parametrize(("pages", "total"), [
    (1, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (1000, 34700),
])
def test_by_volume_band_edges_109hao_art5(pages, total):
    assert quote("by_volume", pages).amount_yuan == Decimal(total)


def test_each_band_charges_only_its_own_units_109hao_art3_excess_progressive():
    assert bands_of("per_request", 41)[-2:] == [(31, 40, 10, 200, 2000), (41, 50, 1, 300, 300)]
    assert bands_of("by_volume", 201)[-1] == (201, None, 1, 40, 40)


def test_the_nth_request_of_a_month_bears_its_bands_rate_109hao_art4():
    fees = [marginal_amount("per_request", n - 1) for n in (1, 10, 11, 30, 31, 40, 41)]
    assert fees == [0, 0, 100, 100, 200, 200, 300]
    assert marginal_amount("per_request", 9, 3) == Decimal(200)  # one application split into 3 件 (一事一申请)
    assert sum(marginal_amount("per_request", n) for n in range(120)) == quote("per_request", 120).amount_yuan


def test_amounts_are_whole_yuan_decimals():
    q = quote("per_request", 35)
    assert isinstance(q.amount_yuan, Decimal) and q.amount_yuan == q.amount_yuan.to_integral_value()
    assert q.method == "per_request" and q.units == 35


# --- the JSON of `ogi fee quote` (DESIGN §9) ---

def test_quote_json_shape_design_9():
    data = quote("by_volume", 250).as_json()
    assert set(data) == {"amount_yuan", "bands"}
    assert data["amount_yuan"] == 4700 and isinstance(data["amount_yuan"], int)
    assert data["bands"][-1] == {"from": 201, "to": None, "units": 50, "rate_yuan": 40, "amount_yuan": 2000}
    for band in data["bands"]:
        assert list(band) == ["from", "to", "units", "rate_yuan", "amount_yuan"]
    assert json.loads(json.dumps(data)) == data  # JSON numbers and null, nothing else
    assert '"to": null' in json.dumps(data)


def test_quote_json_lists_only_bands_holding_units_design_9():
    assert quote("per_request", 5).as_json() == {
        "amount_yuan": 0, "bands": [{"from": 1, "to": 10, "units": 5, "rate_yuan": 0, "amount_yuan": 0}]}
    assert [b["to"] for b in quote("per_request", 35).as_json()["bands"]] == [10, 30, 40]


# --- refusals ---

def test_unknown_method_is_refused_109hao_art3():
    with pytest.raises(ValueError, match=r"收费方式（method）“per_page”不是可选的方式.*第三条"):
        quote("per_page", 10)


@pytest.mark.parametrize("units", [0, -1, MAX_UNITS + 1])
@pytest.mark.parametrize("method", ["per_request", "by_volume"])
def test_units_outside_one_to_max_are_refused(method, units):
    with pytest.raises(ValueError, match=r"应为 1 至 \d+ (件|页)"):
        quote(method, units)


@pytest.mark.parametrize("units", [1.5, 10.0, "10", True, None])
def test_units_that_are_no_whole_number_are_refused(units):
    with pytest.raises(ValueError, match=r"按件计收的件数.*应为整数（件）"):
        quote("per_request", units)


def test_marginal_amount_refuses_negative_already():
    with pytest.raises(ValueError, match="已计的数量应为 0 或正整数"):
        marginal_amount("per_request", -1)


# --- one applicant (same_applicant) ---

PERSON = {"kind": "natural_person", "name": "张三", "id_number": "37131519820921395X", "phone": "13805391234"}


def test_same_id_number_with_different_name_spellings_is_one_applicant():
    assert same_applicant(PERSON, {"kind": "natural_person", "name": "張三", "id_number": "37131519820921395x"})
    assert same_applicant(PERSON, {"kind": "natural_person", "name": "Zhang San", "id_number": "３７１３１５１９８２０９２１３９５Ｘ"})
    assert same_applicant(PERSON, {"kind": "natural_person", "name": "张 三", "id_number": " 371315 19820921 395X "})


def test_different_id_numbers_are_different_applicants_even_with_same_name_and_phone():
    assert not same_applicant(PERSON, {**PERSON, "id_number": "371315198209213958"})


def test_same_organisation_code_is_one_applicant():
    company = {"kind": "commercial", "name": "临沂某某有限公司", "id_number": "91371300MA3C123456"}
    assert same_applicant(company, {"kind": "other_org", "name": "某某公司", "id_number": "91371300ma3c123456"})
    assert same_applicant(company, {"kind": "commercial", "name": "某某公司", "credit_code": "91371300-MA3C123456"})
    assert not same_applicant(company, {**company, "id_number": "91371300MA3C654321"})


def test_without_numbers_same_kind_name_and_phone_is_one_applicant():
    a = {"kind": "natural_person", "name": "李四", "phone": "138 0539 1234"}
    assert same_applicant(a, {"kind": "natural_person", "name": "李四", "phone": "+86 13805391234"})


@pytest.mark.parametrize("other", [
    {"kind": "natural_person", "name": "李四"},  # no phone: a name alone never joins namesakes
    {"kind": "natural_person", "name": "李四", "phone": "13900000000"},
    {"kind": "other_org", "name": "李四", "phone": "13805391234"},
    {"kind": "natural_person", "name": "李四四", "phone": "13805391234"},
])
def test_without_numbers_anything_less_is_not_one_applicant(other):
    assert not same_applicant({"kind": "natural_person", "name": "李四", "phone": "13805391234"}, other)


def test_no_phone_on_either_side_is_not_one_applicant():
    assert not same_applicant({"kind": "natural_person", "name": "李四"}, {"kind": "natural_person", "name": "李四"})
    assert not same_applicant({}, {})


def test_one_number_missing_falls_back_to_kind_name_and_phone():
    assert same_applicant(PERSON, {"kind": "natural_person", "name": "张三", "phone": "13805391234"})
    assert not same_applicant(PERSON, {"kind": "natural_person", "name": "张三"})


# --- the monthly count (requests_in_month, monthly_position) ---

def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


OTHER = {"kind": "natural_person", "name": "王五", "id_number": "371312198001011234"}


def test_monthly_position_resets_at_the_month_end_31_jan_to_1_feb_109hao_art4():
    history = [(d("2024-01-30"), PERSON), (d("2024-01-31"), PERSON)]
    assert monthly_position(d("2024-02-01"), PERSON, history) == 1
    assert monthly_position(d("2024-01-31"), PERSON, [(d("2024-01-30"), PERSON)]) == 2
    assert monthly_position(d("2025-01-01"), PERSON, [(d("2024-12-31"), PERSON)]) == 1  # and at the year end


def test_monthly_position_counts_only_the_same_applicant_earlier_in_the_month():
    history = [(d("2024-03-01"), PERSON), (d("2024-03-02"), OTHER), (d("2024-03-05"), {**PERSON, "name": "張三"}),
               (d("2024-03-20"), PERSON), (d("2024-02-29"), PERSON)]
    assert monthly_position(d("2024-03-10"), PERSON, history) == 3  # 1 Mar and 5 Mar; not 20 Mar, not February


def test_monthly_position_same_day_ties_by_request_id():
    history = [(d("2024-03-10"), PERSON, "R-0001"), (d("2024-03-10"), PERSON, "R-0002"),
               (d("2024-03-10"), PERSON, "R-0003")]
    assert monthly_position(d("2024-03-10"), PERSON, history, this_request_id="R-0002") == 2  # own entry skipped
    assert monthly_position(d("2024-03-10"), PERSON, history, this_request_id="R-0004") == 4


def test_monthly_position_same_day_without_ids_does_not_count_as_earlier():
    history = [(d("2024-03-10"), PERSON), (d("2024-03-09"), PERSON)]
    assert monthly_position(d("2024-03-10"), PERSON, history) == 2
    assert monthly_position(d("2024-03-10"), PERSON, [(d("2024-03-10"), PERSON, "R-0001")]) == 1  # this id unknown


def test_monthly_position_takes_datetimes_by_their_date():
    history = [(dt.datetime(2024, 1, 31, 23, 59), PERSON)]
    assert monthly_position(dt.datetime(2024, 2, 1, 0, 1), PERSON, history) == 1
    assert monthly_position(d("2024-01-31"), PERSON, [(dt.datetime(2024, 1, 30, 9), PERSON)]) == 2


def test_requests_in_month_is_the_per_request_count_109hao_art4():
    history = [(d("2024-01-31"), PERSON)] + [(d("2024-02-01") + dt.timedelta(days=i), PERSON) for i in range(12)] \
        + [(d("2024-02-03"), OTHER)]
    count = requests_in_month(d("2024-02-15"), PERSON, history)
    assert count == 12
    assert quote("per_request", count).amount_yuan == Decimal(200)


def test_position_and_marginal_amount_give_each_request_its_fee_109hao_art4():
    january = [(d("2024-01-02"), PERSON, f"R-{i:04d}") for i in range(1, 11)]
    eleventh = monthly_position(d("2024-01-31"), PERSON, january, this_request_id="R-0011")
    first_of_february = monthly_position(d("2024-02-01"), PERSON, january, this_request_id="R-0011")
    assert (eleventh, first_of_february) == (11, 1)
    assert marginal_amount("per_request", eleventh - 1) == Decimal(100)
    assert marginal_amount("per_request", first_of_february - 1) == Decimal(0)
