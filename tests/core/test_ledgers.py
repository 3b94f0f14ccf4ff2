"""The ledger registry (core.ledgers): one page and one API endpoint for every ledger, as xlsx and
CSV, sanitised cells, personal exports logged once, the list of what a user may export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core import ledgers
from jiceng.core import services as core_services
from jiceng.core.models import AuditEntry
from jiceng.people.models import Person
from tests.helpers import get_ledger, sheet_rows, workbook

WHOLE = f"2000-01-01..{timezone.localdate():%Y-%m-%d}"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel and WPS read UTF-8 CSV by its byte-order mark
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'x"),
        ("\rx", "'x"),
        ("\x01=HYPERLINK(1)", "'=HYPERLINK(1)"),  # a control character cannot hide a formula
        ("\x7f+1", "'+1"),
        ("\x85-2+3", "'-2+3"),
        ("\x00@x", "'@x"),
        ("张\x07三\x00", "张三"),
        ("第一行\n第二行", "第一行\n第二行"),
        ("a\x1b[31mb", "a[31mb"),
        (-12.5, -12.5),
        (0, 0),
        (None, None),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ],
)
def test_cells_are_sanitised_and_numbers_stay_numbers(value, expected):
    assert ledgers.clean_cell(value) == expected


def test_very_long_cells_say_they_were_cut_and_surrogates_go():
    cell = ledgers.clean_cell("长" * 40_000)
    assert len(cell) == ledgers.EXCEL_CELL_MAX and cell.endswith("请在系统中查看）")
    assert ledgers.clean_cell("a\ud800b") == "ab"


def test_the_roster_exports_a_member_whose_name_came_in_with_control_characters(world, client):
    """Data stored before the boundary (or by another path) must not break an export for everyone
    above it: openpyxl refuses such a cell, the sanitiser takes the characters out."""
    from openpyxl import load_workbook

    from jiceng.people.models import Person

    # (not a NUL: PostgreSQL cannot hold one in text at all)
    Person.objects.filter(pk=world.member_a.person_id).update(name="张\x01三\x1b")
    client.force_login(world.users["county"])
    r = client.get("/ledgers/people.members/", {"format": "xlsx"})
    assert r.status_code == 200
    import io

    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    names = [row[0].value for row in wb.worksheets[0].iter_rows()]
    assert "张三" in names


def test_every_ledger_as_xlsx_and_csv_gives_the_same_rows(demo_county, client):
    client.force_login(demo_county["county"])
    assert set(ledgers.registry()) >= {
        "people.members",
        "orglife.meetings",
        "orglife.attendance",
        "grading.grades",
        "grading.rectification",
    }
    for key, ledger in ledgers.registry().items():
        params = {"period": WHOLE} if ledger.period else {}
        if key == "grading.grades":
            continue  # the session demo has no grading round: test_grading_ledger_without_a_round
        wb = workbook(get_ledger(client, key, **params))
        title, subtitle = next(wb.worksheets[0].iter_rows(max_row=2, values_only=True)), None
        assert title[0] == ledger.sheets[0].title_for(ledgers.LedgerRequest(actor=demo_county["county"]))
        subtitle = list(wb.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True))[0][0]
        assert subtitle.startswith("填报单位：中共青山县委员会") and "导出人：" in subtitle
        xlsx = sheet_rows(wb.worksheets[0])
        csv_ = csv_rows(get_ledger(client, key, fmt="csv", **params))
        if len(wb.worksheets) > 1:  # a ledger of several sheets names each in its CSV: the first one's part
            assert csv_[0] == [title[0]], key
            csv_ = csv_[1 : csv_.index([]) if [] in csv_ else len(csv_)]
        assert [str(h) for h in xlsx[0]] == csv_[0], key
        assert len(xlsx) == len(csv_), key
        if key != "grading.rectification":  # the demo has no plans
            assert len(xlsx) > 10, key


def test_a_personal_export_is_logged_once_per_subtree_and_a_refused_one_not(world, client, login):
    c = login(world.users["county"])
    before = AuditEntry.objects.filter(action="export").count()
    rows = csv_rows(get_ledger(c, "people.members", fmt="csv"))
    assert {r[0] for r in rows[1:]} == {"张三", "李四", "王五"}
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert entry.org_path == world.county_org.path and entry.changes["rows"] == [None, 3]
    assert entry.changes["format"] == [None, "csv"] and entry.target_type == "people.partymember"
    # not personal: not logged
    workbook(get_ledger(c, "orglife.meetings", period=WHOLE))
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    # the grid worker may read members but not export them: the ledger does not exist for them
    g = login(world.users["grid_a"])
    assert get_ledger(g, "people.members").status_code == 404
    assert get_ledger(g, "people.members", fmt="csv").status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_the_ledger_list_says_what_each_user_may_export(world, login):
    page = login(world.users["grid_a"]).get(reverse("ledger_list"))
    assert page.status_code == 200
    offers = {o.ledger.key: o.allowed for o in page.context["offers"]}
    assert offers["people.members"] is False and offers["orglife.attendance"] is False
    assert offers["orglife.meetings"] is True
    assert (
        'href="/ledgers/orglife.meetings/"' in page.text
        and 'href="/ledgers/people.members/"' not in page.text
    )
    page = login(world.users["sec_a"]).get(reverse("ledger_list"))
    assert all(o.allowed for o in page.context["offers"])


def test_a_bad_period_is_named_on_the_form_and_refused_for_a_download(world, login):
    c = login(world.users["county"])
    page = c.get(reverse("ledger_detail", kwargs={"key": "orglife.attendance"}), {"period": "2026-13"})
    assert page.status_code == 200 and 'data-field="period"' in page.text and "统计期间" in page.text
    r = get_ledger(c, "orglife.attendance", period="2026-13")
    assert r.status_code == 400 and "统计期间" in r.content.decode()


def test_grading_ledger_without_a_round_is_a_clear_400(world, login):
    r = get_ledger(login(world.users["county"]), "grading.grades", period="2020")
    assert r.status_code == 400 and "没有开展评定" in r.content.decode()


def test_a_name_with_control_characters_exports(world, login):
    """Legacy data with a control character in a name no longer breaks the roster for everyone."""
    Person.objects.filter(pk=world.member_a.person_id).update(name="张\x07三")
    rows = sheet_rows(workbook(get_ledger(login(world.users["county"]), "people.members")).worksheets[0])
    assert "张三" in {r[0] for r in rows[1:]}


def test_api_lists_and_exports_ledgers(world, client):
    _t, token = core_services.api_token_create(actor=world.users["sec_a"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/ledgers", **auth).json()
    assert {x["key"] for x in listed} >= {"people.members", "orglife.attendance"}
    assert all(x["allowed"] for x in listed)
    r = client.get("/api/v1/ledgers/people.members", {"format": "csv"}, **auth)
    assert {row[0] for row in csv_rows(r)[1:]} == {"张三", "李四"}
    r = client.get("/api/v1/ledgers/people.members", {"org": world.branch_b.pk}, **auth)
    assert r.status_code == 404
    r = client.get("/api/v1/ledgers/orglife.attendance", {"period": "junk"}, **auth)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "period"
    r = client.get("/api/v1/ledgers/people.members", {"format": "pdf"}, **auth)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "format"
