"""Penalty rates checked (positive, never overlapping) and the operators' exceptions to the production calendar.

Overlapping rates are refused by the database as tariffs are (0002): an exclusion constraint on PostgreSQL,
triggers on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "billing_penaltyrate"


def sqlite_triggers() -> list[str]:
    clash = (
        f"EXISTS (SELECT 1 FROM {TABLE} o WHERE o.id IS NOT NEW.id "
        f"AND o.valid_from <= COALESCE(NEW.valid_to, '9999-12-31') "
        f"AND NEW.valid_from <= COALESCE(o.valid_to, '9999-12-31'))"
    )
    return [
        f"CREATE TRIGGER {TABLE}_no_overlap_{event.lower()} BEFORE {event} ON {TABLE} "
        f"WHEN {clash} BEGIN SELECT RAISE(ABORT, '{TABLE}_dates_overlap'); END"
        for event in ("INSERT", "UPDATE")
    ]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_no_overlap EXCLUDE USING gist "
            f"(daterange(valid_from, valid_to, '[]') WITH &&)"
        )
    elif vendor == "sqlite":
        for statement in sqlite_triggers():
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {TABLE}_no_overlap")
    elif vendor == "sqlite":
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_overlap_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_services_off"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="дата")),
                (
                    "is_working",
                    models.BooleanField(
                        help_text="Отметьте для рабочего дня, снимите для выходного", verbose_name="рабочий день"
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        help_text="Постановление, закон субъекта", max_length=300, verbose_name="основание"
                    ),
                ),
            ],
            options={
                "verbose_name": "день производственного календаря",
                "verbose_name_plural": "производственный календарь: исключения",
                "ordering": ["-day"],
            },
        ),
        migrations.AddConstraint(
            model_name="penaltyrate",
            constraint=models.CheckConstraint(
                condition=models.Q(("rate__gt", 0), models.Q(("moratorium", True), ("rate", 0)), _connector="OR"),
                name="penalty_rate_positive",
                violation_error_message="Ставка должна быть больше нуля (ноль — только для моратория).",
            ),
        ),
        migrations.AddField(
            model_name="calendarday",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                help_text="Пусто — для всех организаций (федеральный перенос)",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="calendar_days",
                to="orgs.organisation",
                verbose_name="организация",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendarday",
            constraint=models.UniqueConstraint(
                fields=("organisation", "day"),
                name="calendar_day_unique_in_org",
                violation_error_message="Этот день в календаре организации уже указан.",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendarday",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", True)),
                fields=("day",),
                name="calendar_day_unique_for_all",
                violation_error_message="Этот день в общем календаре уже указан.",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
