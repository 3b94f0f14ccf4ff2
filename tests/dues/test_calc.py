"""Dues arithmetic at every bracket edge of the 2008 table (中组发〔2008〕3号): the bracket's rate
applies to the WHOLE base, not progressively; amounts rounded to the fen, half up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.core.kit import RuleValueError
from jiceng.dues import calc
from jiceng.dues.rules import DEFAULT_RATES, rate_table

D = Decimal


@pytest.mark.parametrize(
    ("base", "rate", "amount"),
    [
        ("0.01", "0.005", "0.00"),
        ("2999.99", "0.005", "15.00"),
        ("3000", "0.005", "15.00"),  # 3,000 and below: 0.5%
        ("3000.01", "0.01", "30.00"),  # above 3,000: 1% of the whole base (not 15.00 + 0.0001)
        ("5000", "0.01", "50.00"),
        ("5000.01", "0.015", "75.00"),
        ("10000", "0.015", "150.00"),
        ("10000.01", "0.02", "200.00"),
        ("25000", "0.02", "500.00"),
    ],
)
def test_employed_bracket_edges(base, rate, amount):
    got_rate, got = calc.monthly_amount(DEFAULT_RATES, "employed", D(base))
    assert (got_rate, got) == (D(rate), D(amount))


@pytest.mark.parametrize(
    ("base", "rate", "amount"),
    [
        ("1800", "0.005", "9.00"),
        ("5000", "0.005", "25.00"),
        ("5000.01", "0.01", "50.00"),
        ("8000", "0.01", "80.00"),
    ],
)
def test_retired_bracket_edges(base, rate, amount):
    assert calc.monthly_amount(DEFAULT_RATES, "retired", D(base)) == (D(rate), D(amount))


def test_whole_base_not_progressive():
    """6,000 yuan: 1.5% of 6,000 = 90.00; progressively it would be 15 + 20 + 15 = 50.00."""
    _rate, amount = calc.monthly_amount(DEFAULT_RATES, "employed", D("6000"))
    progressive = D("3000") * D("0.005") + D("2000") * D("0.01") + D("1000") * D("0.015")
    assert amount == D("90.00") and progressive == D("50.000")


def test_rounding_is_half_up_to_the_fen():
    # 1,233 × 0.5% = 6.165 → 6.17 (half up; banker's rounding would give 6.16)
    assert calc.monthly_amount(DEFAULT_RATES, "employed", D("1233"))[1] == D("6.17")
    # 1,232.99 × 0.5% = 6.16495 → 6.16
    assert calc.monthly_amount(DEFAULT_RATES, "employed", D("1232.99"))[1] == D("6.16")
    # 4,567.89 × 1% = 45.6789 → 45.68
    assert calc.monthly_amount(DEFAULT_RATES, "employed", D("4567.89"))[1] == D("45.68")


def test_fixed_amounts():
    assert calc.fixed_range(DEFAULT_RATES, "farmer") == (D("0.20"), D("1.00"))
    assert calc.fixed_range(DEFAULT_RATES, "low_income") == (D("0.20"), D("0.20"))
    assert calc.monthly_amount(DEFAULT_RATES, "low_income", None) == (None, D("0.20"))


def test_months_are_consecutive_numbers():
    import datetime as dt

    assert calc.month_no(dt.date(2026, 1, 31)) - calc.month_no(dt.date(2025, 12, 1)) == 1
    assert calc.month_start(calc.month_no(dt.date(2026, 11, 15))) == dt.date(2026, 11, 1)
    assert calc.last_full_month_no(dt.date(2026, 11, 1)) == calc.month_no(dt.date(2026, 10, 1))


def test_rate_table_validator_refuses_bad_tables():
    rate_table(DEFAULT_RATES)
    bad = {**DEFAULT_RATES, "employed": [{"up_to": 3000, "rate": 0.005}, {"up_to": 5000, "rate": 0.01}]}
    with pytest.raises(RuleValueError, match="最后一档"):
        rate_table(bad)
    bad = {
        **DEFAULT_RATES,
        "employed": [
            {"up_to": 5000, "rate": 0.01},
            {"up_to": 3000, "rate": 0.005},
            {"up_to": None, "rate": 0.02},
        ],
    }
    with pytest.raises(RuleValueError, match="从低到高"):
        rate_table(bad)
    bad = {**DEFAULT_RATES, "farmer": [{"min_amount": 2, "max_amount": 1}]}
    with pytest.raises(RuleValueError, match="农民"):
        rate_table(bad)
    with pytest.raises(RuleValueError):
        rate_table({"employed": DEFAULT_RATES["employed"]})
