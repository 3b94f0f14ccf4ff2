"""Inserting many new rows at once: PostgreSQL COPY where available, ``bulk_create`` elsewhere.

For a 100,000-row import ``bulk_create`` spends more time compiling INSERT statements (a prepare
call per value) than the database spends storing them; COPY streams the values as they are. Keys
come from the table's own sequence first, so the objects carry their primary keys afterwards
exactly as after ``bulk_create``. Only for plain new rows: no signals, no conflict handling, no
multi-table inheritance (none of which the callers use).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert(objs: Sequence[models.Model], batch_size: int = 2000) -> None:
    if not objs:
        return
    model: Any = type(objs[0])  # a concrete model: it has a manager
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields]
    table = connection.ops.quote_name(meta.db_table)
    for obj in objs:  # a related object saved just before (the member's person) gives its key
        obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cur.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        getters = [_getter(f) for f in fields]
        with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])
    for obj in objs:  # as after bulk_create: saved, no longer "adding"
        obj._state.adding = False
        obj._state.db = connection.alias


# Fields whose value COPY takes as the attribute holds it (str, int, bool, date, a key): the
# field's own preparation (get_db_prep_save) would hand back the same value at ~10 µs a cell,
# a third of a 100,000-row import's write.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)


def _getter(field: models.Field):
    if isinstance(field, _PLAIN) and type(field).pre_save is models.Field.pre_save:
        return operator.attrgetter(field.attname)
    if type(field) is models.DateField and not (field.auto_now or field.auto_now_add):
        return operator.attrgetter(field.attname)
    return lambda obj: _value(field, obj)


def _value(field: models.Field, obj: models.Model):
    # auto_now_add and friends, then the database form, as save() would (a blank IP becomes NULL,
    # JSON is adapted by the field's own encoder)
    return field.get_db_prep_save(field.pre_save(obj, add=True), connection)
