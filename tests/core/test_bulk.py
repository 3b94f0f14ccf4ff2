"""bulk.insert: COPY on PostgreSQL, bulk_create elsewhere; either way the objects come back saved."""

import datetime as dt

from jiceng.core import bulk
from jiceng.core.models import AuditEntry
from jiceng.people.models import PartyMember, Person


def test_insert_gives_keys_follows_related_objects_and_fills_auto_fields(world):
    persons = [Person(name=f"批量{i}", gender="male", birth_date=dt.date(1980, 1, i + 1)) for i in range(3)]
    members = [
        PartyMember(person=p, org=world.branch_a, status="full", joined_on=dt.date(2010, 7, 1))
        for p in persons
    ]
    bulk.insert(persons)
    bulk.insert(members)
    assert all(p.pk for p in persons) and all(m.pk for m in members)
    stored = {
        m.pk: (m.person_id, m.person.name)
        for m in PartyMember.objects.filter(pk__in=[m.pk for m in members]).select_related("person")
    }
    assert stored == {m.pk: (p.pk, p.name) for m, p in zip(members, persons, strict=True)}
    assert all(p.created_at is not None for p in Person.objects.filter(pk__in=[p.pk for p in persons]))

    entries = [
        AuditEntry(
            action="create",
            target_type="x",
            target_id=str(i),
            org_path=world.branch_a.path,
            changes={"n": [None, i]},
        )
        for i in range(2)
    ]
    bulk.insert(entries)
    got = AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk")
    assert [e.changes for e in got] == [{"n": [None, 0]}, {"n": [None, 1]}] and all(e.at for e in got)
