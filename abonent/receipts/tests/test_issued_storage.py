"""How the issued documents are stored on PostgreSQL: compressed by lz4 (cheaper than the default pglz at a
city's publish), the documents themselves unchanged; one writer of a period's documents at a time."""

import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections

from abonent.billing import cycle
from abonent.receipts import issued, selectors
from abonent.receipts.models import IssuedReceipt

pytestmark = pytest.mark.django_db


def _lz4_available(cursor) -> bool:
    cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    return cursor.fetchone()[0]


def test_publish_stores_the_documents_compressed_by_lz4(published):
    if connection.vendor != "postgresql":
        pytest.skip("TOAST compression is PostgreSQL's")
    with connection.cursor() as cursor:
        if not _lz4_available(cursor):
            pytest.skip("this PostgreSQL was built without lz4")
        # The publish ran in this test's transaction, so its transaction-local setting is still in force.
        cursor.execute("SHOW default_toast_compression")
        assert cursor.fetchone()[0] == "lz4"


def test_a_reprint_waits_for_the_documents_being_written(published):
    """A reprint that finds its document missing while the step after publish is still writing them waits for
    that step (its lock) rather than writing a second set."""
    if connection.vendor != "postgresql":
        pytest.skip("one process at a time on SQLite")
    november = cycle.period_close(organisation=published["org"], month=dt.date(2026, 11, 1), step="publish")
    writer = connections.create_connection(DEFAULT_DB_ALIAS)  # the step after publish, still running
    try:
        with writer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s::int, %s::int)", [issued.ISSUE_LOCK_CLASS, november.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '300ms'")
        with pytest.raises(OperationalError, match="lock timeout"):
            selectors.receipt_for(account=published["account"], period=november)
        assert not IssuedReceipt.objects.filter(period=november).exists()
        with writer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [issued.ISSUE_LOCK_CLASS, november.pk])
    finally:
        writer.close()
    receipt = selectors.receipt_for(account=published["account"], period=november)
    assert receipt.balance.closing > 0
    assert list(IssuedReceipt.objects.filter(period=november).values_list("account_id", flat=True)) == [
        published["account"].pk
    ]
