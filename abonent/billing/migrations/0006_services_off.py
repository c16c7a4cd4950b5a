"""Services an account does not receive, with the database refusing two rows of one account and service whose
dates overlap: an exclusion constraint on PostgreSQL, triggers on SQLite, as 0002 does for tariffs and norms."""

import django.db.models.deletion
from django.db import migrations, models


TABLE = "billing_accountserviceoff"


def sqlite_triggers() -> list[str]:
    clash = (
        f"EXISTS (SELECT 1 FROM {TABLE} o WHERE o.account_id = NEW.account_id AND o.service_id = NEW.service_id "
        f"AND o.id IS NOT NEW.id AND o.since <= COALESCE(NEW.until, '9999-12-31') "
        f"AND NEW.since <= COALESCE(o.until, '9999-12-31'))"
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
            f"(account_id WITH =, service_id WITH =, daterange(since, until, '[]') WITH &&)"
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
        ("billing", "0005_balance_identity_tolerance"),
        ("housing", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountServiceOff",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "since",
                    models.DateField(
                        help_text="Первый месяц, за который услуга не начисляется", verbose_name="не оказывается с"
                    ),
                ),
                (
                    "until",
                    models.DateField(
                        blank=True,
                        help_text="Последний день, когда услуга не оказывалась; пусто — не оказывается и сейчас",
                        null=True,
                        verbose_name="не оказывается по",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="причина")),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="services_off",
                        to="housing.personalaccount",
                        verbose_name="лицевой счёт",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accounts_off",
                        to="billing.service",
                        verbose_name="услуга",
                    ),
                ),
            ],
            options={
                "verbose_name": "услуга не оказывается",
                "verbose_name_plural": "услуги, которые не оказываются",
                "ordering": ["account_id", "service_id", "-since"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("until__isnull", True), ("until__gte", models.F("since")), _connector="OR"),
                        name="service_off_dates_ordered",
                        violation_error_message="Дата окончания раньше даты начала.",
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
