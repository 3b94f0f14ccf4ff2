"""Read-replica routing (core/dbrouter.py).

Under pytest the "reporting" alias is a TEST MIRROR of default (settings.py): a second connection
to the same test database. It sees the demo county, committed when the session started, but not a
test's own uncommitted rows, so every read here that should reach the replica reads demo data; rows
a test writes (sessions, tokens, audit entries) must be read from default, and the tests show they
are. The rest of the suite never switches the mirror on: there everything reads from default.
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.core import audit, dbrouter
from jiceng.core.dbrouter import REPORTING, reporting
from jiceng.core.models import AuditEntry, Org, User
from jiceng.orglife.models import Attendance
from tests.helpers import get_ledger, xlsx_rows

both_databases = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPORTING])
WHOLE_HISTORY = f"2000-01-01..{timezone.localdate():%Y-%m-%d}"
_TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


@pytest.fixture
def mirror(monkeypatch):
    monkeypatch.setattr(dbrouter, "use_test_mirror", True)
    yield
    connections[REPORTING].close()  # PostgreSQL drops the test database only when no session is left on it


def _statements(ctx) -> list[tuple[str, set[str]]]:
    return [(q["sql"].split(None, 1)[0].upper(), set(_TABLE.findall(q["sql"]))) for q in ctx.captured_queries]


def _tables_read(ctx) -> set[str]:
    # PostgreSQL runs .iterator() through a server-side cursor: DECLARE … CURSOR FOR SELECT …
    return {t for verb, tables in _statements(ctx) if verb in {"SELECT", "DECLARE"} for t in tables}


def _writes(ctx) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


def _xlsx_rows(response) -> list[tuple]:
    return xlsx_rows(response)


# --- without a replica --------------------------------------------------------------------------


def test_the_suite_reads_from_default_because_the_mirror_is_off():
    with reporting():
        assert router.db_for_read(Attendance) == DEFAULT_DB_ALIAS


@both_databases
def test_without_the_alias_reads_stay_on_default(mirror, monkeypatch, client, demo_county):
    client.force_login(demo_county["county"])
    primary, replica = connections[DEFAULT_DB_ALIAS], connections[REPORTING]
    with monkeypatch.context() as m:
        m.delitem(connections.settings, REPORTING)  # as when DATABASE_REPLICA_URL is not set
        with reporting():
            assert dbrouter.reporting_alias() is None
            assert router.db_for_read(Attendance) == DEFAULT_DB_ALIAS
        with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
            rows = _xlsx_rows(get_ledger(client, "orglife.attendance", period=WHOLE_HISTORY))
    assert len(rows) > 1
    assert on_replica.captured_queries == []
    assert "orglife_attendance" in _tables_read(on_primary)


# --- with a replica (the test mirror) -----------------------------------------------------------


# what the primary answers inside a report: who is asking and what they may see
WHO_IS_ASKING = {"django_session", "core_user", "core_roleassignment", "core_org", "core_area"}


@both_databases
def test_attendance_ledger_reads_from_reporting_and_audits_on_default(mirror, client, demo_county):
    client.force_login(demo_county["county"])
    before = AuditEntry.objects.filter(action="export").count()
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPORTING]) as replica,
    ):
        rows = _xlsx_rows(get_ledger(client, "orglife.attendance", period=WHOLE_HISTORY))
    assert len(rows) > 100  # the demo county's attendance, read through the mirror
    assert {"orglife_attendance", "orglife_meeting", "people_person"} <= _tables_read(replica)
    assert _writes(replica) == []
    # default: the session and the user (read before the reporting section), the actor's grants
    # (with the organisations and areas they anchor: a revoked role counts at once), the audit entry
    assert _tables_read(primary) <= WHO_IS_ASKING
    assert any("core_auditentry" in sql for sql in _writes(primary))
    assert AuditEntry.objects.filter(action="export").count() == before + 1


@both_databases
def test_member_roster_and_meeting_ledger_read_from_reporting(mirror, client, demo_county):
    client.force_login(demo_county["county"])
    for name, table in (("people.members", "people_partymember"), ("orglife.meetings", "orglife_meeting")):
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
            CaptureQueriesContext(connections[REPORTING]) as replica,
        ):
            assert len(_xlsx_rows(get_ledger(client, name, period=WHOLE_HISTORY))) > 10
        assert table in _tables_read(replica), name
        assert table not in _tables_read(primary), name


@both_databases
def test_dashboard_reads_from_reporting(mirror, client, demo_county):
    client.force_login(demo_county["county"])
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPORTING]) as replica,
    ):
        assert client.get(reverse("dashboard")).status_code == 200
    assert {"core_org", "people_partymember"} <= _tables_read(replica)
    assert _tables_read(primary) <= WHO_IS_ASKING
    assert "core_roleassignment" in _tables_read(primary) and "core_roleassignment" not in _tables_read(
        replica
    )
    assert _writes(primary) == [] and _writes(replica) == []


@both_databases
def test_indicator_api_reads_from_reporting_after_checking_the_token_on_default(mirror, client, demo_county):
    from jiceng.core.services import api_token_create

    # the token exists only in this test's open transaction: the mirror cannot see it, default can
    _token, plaintext = api_token_create(actor=demo_county["county"], name="router")
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPORTING]) as replica,
    ):
        r = client.get("/api/v1/indicators/people.member_count", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert r.status_code == 200, r.content
    assert r.json()["value"] > 0
    assert "core_apitoken" in _tables_read(primary)
    assert "people_partymember" in _tables_read(replica)
    assert "people_partymember" not in _tables_read(primary)


@both_databases
def test_writes_inside_reporting_go_to_default(mirror, demo_county):
    root, county = demo_county["root"], demo_county["county"]
    with (
        reporting(),
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPORTING]) as replica,
    ):
        org = Org.objects.get(pk=root.pk)
        assert org._state.db == REPORTING
        entry = audit.record(actor=county, action="export", target_type="test.router", org_path=org.path)
        assert entry._state.db == DEFAULT_DB_ALIAS
        with transaction.atomic():  # as in a service: it reads what it wrote, so from default
            assert router.db_for_read(AuditEntry) == DEFAULT_DB_ALIAS
            assert AuditEntry.objects.filter(pk=entry.pk).exists()
        assert router.db_for_read(AuditEntry) == REPORTING
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS  # who is asking: always the primary
        org.save(update_fields=["name"])  # an object read from the replica is saved to the primary
    assert _writes(replica) == []
    assert any(sql.startswith("INSERT") and "core_auditentry" in sql for sql in _writes(primary))
    assert any(sql.startswith("UPDATE") and "core_org" in sql for sql in _writes(primary))
    assert "core_auditentry" in _tables_read(primary) and "core_auditentry" not in _tables_read(replica)


# --- the switch itself --------------------------------------------------------------------------


def test_reporting_is_scoped_to_its_block_thread_and_task(mirror):
    assert dbrouter.reads_from() == DEFAULT_DB_ALIAS
    seen = {}
    with reporting():
        with reporting():
            pass
        assert dbrouter.reads_from() == REPORTING  # leaving a nested block keeps the outer one
        worker = threading.Thread(target=lambda: seen.setdefault("other thread", dbrouter.reads_from()))
        worker.start()
        worker.join()
    assert dbrouter.reads_from() == DEFAULT_DB_ALIAS
    assert seen == {"other thread": DEFAULT_DB_ALIAS}

    async def task(inside: bool) -> str:
        if inside:
            with reporting():
                await asyncio.sleep(0)  # the other task runs here
                return dbrouter.reads_from()
        await asyncio.sleep(0)
        return dbrouter.reads_from()

    @reporting
    async def async_view() -> str:
        await asyncio.sleep(0)
        return dbrouter.reads_from()

    @reporting
    def sync_view() -> str:
        return dbrouter.reads_from()

    async def main():
        return await asyncio.gather(task(True), task(False), async_view())

    assert asyncio.run(main()) == [REPORTING, DEFAULT_DB_ALIAS, REPORTING]
    assert sync_view() == REPORTING and dbrouter.reads_from() == DEFAULT_DB_ALIAS


def test_schema_only_on_default_and_relations_across_both():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "orglife", model_name="attendance")
    assert not router.allow_migrate(REPORTING, "orglife", model_name="attendance")
    a, b = Org(), Org()
    a._state.db, b._state.db = DEFAULT_DB_ALIAS, REPORTING
    assert router.allow_relation(a, b)
