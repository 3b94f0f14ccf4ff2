"""Database-level guarantees that the application cannot bypass.

1. The audit log is append-only: UPDATE and DELETE raise, on SQLite and PostgreSQL alike.
2. On PostgreSQL, subtree queries are ``path LIKE 'prefix%'``; a btree index serves LIKE only
   with the pattern operator class (the default collation is not C), so add those indexes.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditentry_no_update;", "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"]

PG_UP = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();",
    "CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();",
    "CREATE INDEX IF NOT EXISTS core_org_path_like ON core_org (path varchar_pattern_ops);",
    "CREATE INDEX IF NOT EXISTS core_area_path_like ON core_area (path varchar_pattern_ops);",
    "CREATE INDEX IF NOT EXISTS core_auditentry_org_path_like ON core_auditentry (org_path varchar_pattern_ops);",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();",
    "DROP INDEX IF EXISTS core_org_path_like;",
    "DROP INDEX IF EXISTS core_area_path_like;",
    "DROP INDEX IF EXISTS core_auditentry_org_path_like;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
