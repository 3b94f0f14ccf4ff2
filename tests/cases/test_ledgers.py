"""The case ledgers (cases/ledgers.py through core.ledgers): each lists exactly the scoped cases of
its kind received in the period, nothing of another village, masked personal data only, the month's
dispute report as further sheets when one month is asked for, and no query per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.cases import routine, services
from jiceng.cases.models import Case, Kind
from jiceng.core import ledgers
from jiceng.core.models import AuditEntry
from tests.helpers import get_ledger, sheet_rows, workbook

KINDS = {
    "cases.cases": (),
    "cases.errands": (Kind.ERRAND,),
    "cases.disputes": (Kind.DISPUTE,),
    "cases.wages": (Kind.WAGE,),
    "cases.enforcement": (Kind.ENFORCEMENT,),
}


def whole() -> str:
    return f"2000-01-01..{timezone.localdate():%Y-%m-%d}"


def file_every_kind(cw, area, *, n: int = 1) -> list[Case]:
    w = cw.w
    staff = w.users["sec_b"] if area.path.startswith(w.town_b.path) else w.users["township"]
    out = []
    for i in range(n):
        out += [
            cw.file("road", area=area),
            cw.file("errand_pension_enrol", area=area, actor=staff, channel="window"),
            cw.file("dispute_neighbour", area=area, severity="minor"),
            cw.file(
                "wage_arrears",
                area=area,
                wage=services.WageIn(
                    employer="某建筑劳务公司", project="安置房项目", workers=6, amount="48000"
                ),
            ),
            cw.file(
                "court_assist",
                area=area,
                actor=cw.users["court"],
                channel="court",
                name="",
                court="A县人民法院",
                court_case_number=f"（2026）A0101执{100 + i}号",
            ),
        ]
    return out


@pytest.fixture
def filed(cw):
    return {
        "a": file_every_kind(cw, cw.w.grid_a) + file_every_kind(cw, cw.w.village_a2),
        "b": file_every_kind(cw, cw.w.village_b),
    }


def direct(path: str, kinds: tuple[str, ...]) -> int:
    """The count the ledger must give: cases placed in the subtree, of the kinds, in the period."""
    qs = Case.objects.filter(area__path__startswith=path)
    return (qs.filter(kind__in=kinds) if kinds else qs).count()


def rows_of(actor, key: str, **query) -> list[list]:
    data = QueryDict(mutable=True)
    data.update({"period": whole(), **query})
    ledger, req, _form = ledgers.prepare(actor=actor, key=key, data=data)
    return [[list(r) for r in sheet.rows(req)] for sheet in ledgers.sheets_for(ledger, req)]


@pytest.mark.parametrize("key", sorted(KINDS))
def test_each_ledger_lists_exactly_the_scoped_cases(cw, filed, key):
    w = cw.w
    county, sec_a, town = w.users["county"], w.users["sec_a"], w.users["township"]
    assert len(rows_of(county, key)[0]) == direct(w.county.path, KINDS[key]) > 0
    assert len(rows_of(town, key)[0]) == direct(w.town_a.path, KINDS[key])
    mine = rows_of(sec_a, key)[0]
    assert len(mine) == direct(w.village_a.path, KINDS[key])
    numbers = {r[0] for r in mine}
    assert numbers and not numbers & {c.number for c in filed["b"]}
    # a subtree: the county officer's export for 二村's branch lists 二村's cases only
    assert len(rows_of(county, key, org=str(w.branch_a2.pk))[0]) == direct(w.village_a2.path, KINDS[key])
    # a period that ended before anything was filed lists nothing
    assert rows_of(county, key, period="2001")[0] == []


@pytest.mark.parametrize("key", sorted(KINDS))
def test_an_out_of_scope_export_has_no_b_rows(cw, filed, login, key):
    w = cw.w
    client = login(w.users["sec_a"])
    text = "\n".join(
        str(v)
        for ws in workbook(get_ledger(client, key, period=whole())).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    b_numbers = {c.number for c in filed["b"]}
    assert not any(n in text for n in b_numbers) and "三社区" not in text
    assert any(c.number in text for c in filed["a"] if not KINDS[key] or c.kind in KINDS[key])
    assert get_ledger(client, key, period=whole(), org=w.branch_b.pk).status_code == 404
    # positive control: B's secretary does get B's rows
    text_b = str(sheet_rows(workbook(get_ledger(login(w.users["sec_b"]), key, period=whole())).worksheets[0]))
    assert any(c.number in text_b for c in filed["b"] if not KINDS[key] or c.kind in KINDS[key])


def test_the_case_ledger_is_personal_masked_and_logged(cw, filed, login):
    client = login(cw.w.users["sec_a"])
    before = AuditEntry.objects.filter(action="export").count()
    rows = sheet_rows(workbook(get_ledger(client, "cases.cases", period=whole())).worksheets[0])
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert rows[0][0] == "受理编号" and len(rows) - 1 == direct(cw.w.village_a.path, ())
    text = str(rows)
    assert "13912345678" not in text and "赵六" not in text and "赵*" in text
    # the grid worker may read cases but not export personal data: the ledger is not theirs
    assert get_ledger(login(cw.w.users["grid_a"]), "cases.cases", period=whole()).status_code == 404
    # the kind filter narrows it
    assert len(rows_of(cw.w.users["sec_a"], "cases.cases", kind="errand")[0]) == direct(
        cw.w.village_a.path, ("errand",)
    )


def test_wage_and_enforcement_ledgers_show_what_was_recorded(cw, filed):
    w, t = cw.w, cw.w.users["township"]
    wage_case = next(c for c in filed["a"] if c.kind == Kind.WAGE)
    services.accept(actor=t, case=wage_case)
    services.supervise_wage(
        actor=t,
        case=Case.objects.get(pk=wage_case.pk),
        supervised=True,
        responsible_unit="甲镇劳动保障所",
        responsible_person="吴所长",
        recovered="12000",
    )
    row = next(r for r in rows_of(w.users["county"], "cases.wages")[0] if r[0] == wage_case.number)
    assert row[3:13] == [
        "某建筑劳务公司",
        "",
        "安置房项目",
        6,
        48000.0,
        12000.0,
        "是",
        "甲镇劳动保障所",
        "吴所长",
        None,
    ]
    court = next(c for c in filed["a"] if c.kind == Kind.ENFORCEMENT)
    row = next(r for r in rows_of(w.users["county"], "cases.enforcement")[0] if r[0] == court.number)
    assert row[2] == "A县人民法院" and row[3].startswith("（2026）A0101执") and row[4] == "一村第1网格"


def test_the_dispute_ledger_adds_the_months_report_for_one_month(cw, filed, login):
    w, sec = cw.w, cw.w.users["sec_a"]
    month = timezone.localdate().replace(day=1)
    routine.add_screening(
        actor=sec,
        area=w.village_a,
        month=month,
        description="邻里通道纠纷",
        parties="郑某、王某",
        risk="major",
    )
    routine.record_meeting(
        actor=sec,
        area=w.village_a,
        month=month,
        meeting_on=timezone.localdate(),
        attendees=["两委", "驻社区民警"],
        minutes="研判。",
    )
    assert len(rows_of(sec, "cases.disputes")) == 1  # a period of more than a month: the ledger alone
    sheets = rows_of(sec, "cases.disputes", period=f"{month:%Y-%m}")
    assert len(sheets) == 3
    report = {r[0]: r for r in sheets[1]}
    assert set(report) == {"一村"}  # the secretary's village only
    received = direct(w.village_a.path, (Kind.DISPUTE,))
    assert report["一村"][2] == received and report["一村"][6] == "是" and report["一村"][9] == 1
    assert report["一村"][11] == "两委、驻社区民警" and report["一村"][12] == "齐全"
    assert sheets[2] == [["一村", "邻里通道纠纷", "郑某、王某", "重大", "否", ""]]
    # the township sees each of its villages, 二村 without screening or meeting
    town = {r[0]: r for r in rows_of(w.users["township"], "cases.disputes", month=f"{month:%Y-%m}")[1]}
    assert set(town) == {"一村", "二村"} and town["二村"][12] == "缺月排查、月例会"
    assert town["二村"][2] == direct(w.village_a2.path, (Kind.DISPUTE,))
    # the workbook has the three sheets, the CSV names each
    client = login(sec)
    wb = workbook(get_ledger(client, "cases.disputes", period=f"{month:%Y-%m}"))
    assert [ws.title for ws in wb.worksheets] == [
        "矛盾纠纷台账",
        f"{month:%Y年%m月}矛盾纠纷月报告",
        "月排查清单",
    ]
    r = get_ledger(client, "cases.disputes", fmt="csv", period=f"{month:%Y-%m}")
    assert "月排查清单" in b"".join(r.streaming_content).decode("utf-8")
    r = get_ledger(client, "cases.disputes", period=whole(), month="2026-13")
    assert r.status_code == 400


def test_ledger_rows_are_read_without_a_query_per_row(cw):
    w, county = cw.w, cw.w.users["county"]

    def queries(key: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows_of(county, key)
        return len(ctx.captured_queries)

    file_every_kind(cw, w.village_a)
    before = {key: queries(key) for key in KINDS}
    file_every_kind(cw, w.village_a, n=3)
    assert {key: queries(key) for key in KINDS} == before


def test_the_routine_report_page_links_its_excel(cw, filed, login):
    w = cw.w
    month = timezone.localdate().replace(day=1)
    page = login(w.users["sec_a"]).get(f"/cases/setup/routine/{w.village_a.pk}/report/?month={month:%Y-%m}")
    link = page.text.split('id="report-xlsx"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "/ledgers/cases.disputes/" in link and f"period={month:%Y-%m}" in link
    r = login(w.users["sec_a"]).get(link)
    assert r.status_code == 200 and len(workbook(r).worksheets) == 3


def test_dates_in_the_ledgers_are_local_days(cw, filed):
    row = rows_of(cw.w.users["county"], "cases.errands")[0][0]
    assert isinstance(row[1], dt.date) and row[1] <= timezone.localdate()
