"""The database refuses two tariffs (or norms) of one service whose dates overlap.

PostgreSQL: an exclusion constraint over the date range. SQLite: triggers that abort the write. Django's
ExclusionConstraint is PostgreSQL-only, hence raw SQL chosen by the connection's vendor.
"""

from django.db import migrations

TABLES = ("billing_tariff", "billing_norm")


def sqlite_triggers(table: str) -> list[str]:
    clash = (
        f"EXISTS (SELECT 1 FROM {table} o WHERE o.service_id = NEW.service_id AND o.id IS NOT NEW.id "
        f"AND o.valid_from <= COALESCE(NEW.valid_to, '9999-12-31') "
        f"AND NEW.valid_from <= COALESCE(o.valid_to, '9999-12-31'))"
    )
    return [
        f"CREATE TRIGGER {table}_no_overlap_{event.lower()} BEFORE {event} ON {table} "
        f"WHEN {clash} BEGIN SELECT RAISE(ABORT, '{table}_dates_overlap'); END"
        for event in ("INSERT", "UPDATE")
    ]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_overlap EXCLUDE USING gist "
                f"(service_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)"
            )
        elif vendor == "sqlite":
            for statement in sqlite_triggers(table):
                schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_no_overlap")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_overlap_{event}")


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
