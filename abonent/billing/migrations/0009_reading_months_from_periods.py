"""Metering now keeps which months have their readings closed (metering.ReadingMonth) instead of reading billing's
periods: every period past "open" gives its month's row, dated when its readings were closed."""

from django.db import migrations
from django.utils import timezone


def fill(apps, schema_editor):
    BillingPeriod = apps.get_model("billing", "BillingPeriod")
    ReadingMonth = apps.get_model("metering", "ReadingMonth")
    now = timezone.now()
    closed = BillingPeriod.objects.exclude(state="open").order_by("pk")
    ReadingMonth.objects.bulk_create(
        [
            ReadingMonth(
                organisation_id=p.organisation_id,
                month=p.month,
                closed_at=p.readings_closed_at or p.calculated_at or p.published_at or now,
            )
            for p in closed.iterator(chunk_size=2000)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


def empty(apps, schema_editor):
    apps.get_model("metering", "ReadingMonth").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_run_heartbeat_forced_reason"),
        ("metering", "0005_reading_month"),
    ]

    operations = [migrations.RunPython(fill, empty)]
