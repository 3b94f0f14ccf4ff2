"""The ledgers' flat rows (one query, names joined in SQL, labels from a dict) are exactly the rows
the model-instance version gave: same columns, values and order, in both languages."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from jiceng.core.ledgers import clean_cell
from jiceng.core.models import Org
from jiceng.core.periods import parse_period
from jiceng.orglife import selectors
from tests.helpers import get_ledger, sheet_rows, workbook

WHOLE_HISTORY = f"2000-01-01..{timezone.localdate():%Y-%m-%d}"


def _instance_attendance_rows(actor, org, period) -> list[tuple]:
    """The row builder the flat query replaced (orglife/views.py, attendance_ledger)."""
    return [
        (
            a.meeting.held_on,
            a.meeting.org.name,
            a.meeting.get_kind_display(),
            a.meeting.topic,
            a.member.person.name,
            a.member.org.name,
            a.get_status_display(),
            a.reason,
        )
        for a in selectors.attendance_for_export(actor=actor, org=org, period=period).iterator(
            chunk_size=2000
        )
    ]


def _instance_meeting_rows(actor, **filters) -> list[tuple]:
    """The row builder the flat query replaced (orglife/views.py, meeting_ledger)."""
    return [
        (
            m.held_on,
            m.org.name,
            m.get_kind_display(),
            m.topic,
            m.first_agenda,
            m.topic_item.title if m.topic_item else "",
            m.n_attended,
            m.n_total,
            m.place,
            m.chair_name,  # 主持人, 记录人: names for those who may see members
            m.minute_taker_name,
        )
        for m in selectors.meetings_for(actor=actor, **filters).iterator(chunk_size=2000)
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_attendance_ledger_rows_equal_the_instance_rows(demo_county, language):
    county, period = demo_county["county"], parse_period(WHOLE_HISTORY)
    with translation.override(language):
        flat = list(selectors.attendance_ledger_rows(actor=county, org=None, period=period))
        assert flat == _instance_attendance_rows(county, None, period)
    assert len(flat) > 1000 and len({r[6] for r in flat}) > 1  # real rows, several statuses
    root = demo_county["root"]
    village = Org.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path").first()
    scoped = list(selectors.attendance_ledger_rows(actor=county, org=village, period=period))
    assert scoped == _instance_attendance_rows(county, village, period) and 0 < len(scoped) < len(flat)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_meeting_ledger_rows_equal_the_instance_rows(demo_county, language):
    county = demo_county["county"]
    with translation.override(language):
        flat = list(selectors.meeting_ledger_rows(actor=county))
        assert flat == _instance_meeting_rows(county)
    assert len(flat) > 100
    assert {r[5] == "" for r in flat} == {True, False}  # meetings with and without a key-content item


def test_attendance_ledger_workbook_is_the_instance_workbook(client, demo_county):
    """Through the view and the sheet writer: headers, cell types, formula safety unchanged."""
    county, quarter = demo_county["county"], f"{timezone.localdate().year - 1}-Q4"
    client.force_login(county)
    got = workbook(get_ledger(client, "orglife.attendance", period=quarter)).worksheets[0]
    headers = ("会议日期", "党组织", "会议类型", "会议主题", "党员姓名", "所在党组织", "出勤情况", "原因")
    # an empty text cell reads back as None
    want = [headers] + [
        tuple(clean_cell(v) if v != "" else None for v in row)
        for row in _instance_attendance_rows(county, None, parse_period(quarter))
    ]
    rows = sheet_rows(got)
    assert got.title == "出勤台账" and len(rows) > 100
    # cells read back from the file: dates come back as datetimes
    assert [tuple(v.date() if hasattr(v, "date") and v is not None else v for v in r) for r in rows] == want
