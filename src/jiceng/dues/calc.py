"""Dues arithmetic, pure functions: months as numbers, the rate table and the monthly amount.

The bracket a base falls in gives the rate for the WHOLE base (not progressively, as income tax
is): 3,000.01 yuan of pay at 1% is 30.00 yuan, not 3,000 × 0.5% + 0.01 × 1%. The amount is rounded
to the fen, half up (四舍五入到分). Sources: 中组发〔2008〕3号 第三条至第五条 (docs/dues.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")
GROUP_NAMES = {
    "employed": "在职党员",
    "retired": "离退休党员",
    "farmer": "农民党员",
    "low_income": "学生、下岗失业、低保党员",
}
PERCENT_GROUPS = ("employed", "retired")  # a rate of the base; the others pay a fixed amount


def month_no(day: dt.date) -> int:
    """The month of ``day`` as a number: year × 12 + month − 1 (consecutive months differ by 1)."""
    return day.year * 12 + day.month - 1


def month_start(no: int) -> dt.date:
    return dt.date(no // 12, no % 12 + 1, 1)


def month_label(no_or_day: int | dt.date) -> str:
    day = month_start(no_or_day) if isinstance(no_or_day, int) else no_or_day
    return f"{day.year}年{day.month}月"


def last_full_month_no(as_of: dt.date) -> int:
    """The last month that ended before ``as_of``: the month before ``as_of``'s month."""
    return month_no(as_of) - 1


def dec(value: Any) -> Decimal:
    """A rule-pack number (JSON float or int) as the Decimal it was written as (0.015, not its
    binary approximation)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_money(value: Any) -> Decimal | None:
    """Yuan typed on a form ("1,234.5", "１２３４.５") as a Decimal, or None when it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    import unicodedata

    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").replace("，", "").strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def bracket(rows: list[dict[str, Any]], base: Decimal) -> dict[str, Any]:
    """The row of a percentage group's table that ``base`` falls in: the first whose ``up_to`` is
    at least the base (上限含本数: 3,000 is in "3,000 and below"), the open row (no ``up_to``)
    above the last limit."""
    for row in sorted(
        rows, key=lambda r: (r.get("up_to") is None, dec(r["up_to"]) if r.get("up_to") is not None else 0)
    ):
        if row.get("up_to") is None or base <= dec(row["up_to"]):
            return row
    raise ValueError("rate table without an open top row")


def monthly_amount(
    rates: dict[str, list[dict[str, Any]]], group: str, base: Decimal | None
) -> tuple[Decimal | None, Decimal]:
    """(rate, monthly amount) for a percentage group, from the base; for a fixed-amount group the
    rate is None and the amount is the table's ``min_amount`` (the farmer's own amount within the
    range is chosen on the declaration: see ``fixed_range``)."""
    rows = rates[group]
    if group in PERCENT_GROUPS:
        assert base is not None
        rate = dec(bracket(rows, base)["rate"])
        return rate, to_fen(base * rate)
    return None, to_fen(dec(rows[0]["min_amount"]))


def fixed_range(rates: dict[str, list[dict[str, Any]]], group: str) -> tuple[Decimal, Decimal]:
    """(least, most) monthly amount of a fixed-amount group (farmers 0.2–1 yuan, the 0.2-yuan group)."""
    row = rates[group][0]
    return to_fen(dec(row["min_amount"])), to_fen(dec(row["max_amount"]))


def yuan(value: Decimal | None) -> str:
    """12.5 → "12.50" (two decimals, as a receipt shows it)."""
    return "—" if value is None else f"{value:,.2f}"
