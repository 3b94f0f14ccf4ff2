import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core import crypto, workdays
from jiceng.core.errors import DomainError
from jiceng.core.models import HolidayOverride
from jiceng.core.periods import parse_period


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-03-01..2026-05-31", dt.date(2026, 3, 1), dt.date(2026, 5, 31)),
    ],
)
def test_parse_period(text, start, end):
    p = parse_period(text)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "abc", "2026-05-01..2026-04-01", "2099", "2099-01"])
def test_parse_period_bad(text):
    with pytest.raises(DomainError) as exc:
        parse_period(text)
    assert "统计期间" in exc.value.errors["period"][0]


def test_workdays_known_year_uses_statutory_calendar(db):
    # 2026-10-01..07 National Day holidays; 2026-10-08 is the first working day after
    assert not workdays.is_workday(dt.date(2026, 10, 5))
    assert workdays.add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_workdays_unknown_year_falls_back_and_table_wins(db):
    # 2030 is beyond the library: Monday-Friday, until the administrator enters the notice
    assert workdays.is_workday(dt.date(2030, 10, 1))  # a Tuesday
    HolidayOverride.objects.create(date=dt.date(2030, 10, 1), is_workday=False, name="国庆节")
    HolidayOverride.objects.create(date=dt.date(2030, 9, 29), is_workday=True, name="调休")  # a Sunday
    assert not workdays.is_workday(dt.date(2030, 10, 1))
    assert workdays.is_workday(dt.date(2030, 9, 29))
    # 5 working days from Fri 2030-09-27: Sun 29 (make-up), Mon 30, Wed 2, Thu 3, Fri 4
    assert workdays.add_workdays(dt.date(2030, 9, 27), 5) == dt.date(2030, 10, 4)
    assert workdays.workdays_between(dt.date(2030, 9, 27), dt.date(2030, 10, 4)) == 5


@given(st.text(min_size=1, max_size=40))
def test_crypto_round_trip_and_binding(value):
    token = crypto.encrypt(value, field="phone")
    assert crypto.decrypt(token, field="phone") == value
    with pytest.raises(Exception):  # noqa: B017 - ciphertext bound to its column
        crypto.decrypt(token, field="id_number")


def test_ciphertext_hides_value_and_is_randomised():
    a, b = crypto.encrypt("13800001234", field="phone"), crypto.encrypt("13800001234", field="phone")
    assert "13800001234" not in a and a != b


def test_digest_is_keyed_and_deterministic():
    assert crypto.digest("1234", field="x") == crypto.digest("1234", field="x")
    assert crypto.digest("1234", field="x") != crypto.digest("1234", field="y")
    assert len(crypto.digest("1234", field="x")) == 64 and crypto.digest("", field="x") == ""


def test_masks():
    assert crypto.mask_id_number("430724197005170011") == "430724********0011"
    assert crypto.mask_phone("13800001234") == "138****1234"
