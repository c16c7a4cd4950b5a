"""How the issued documents are stored on PostgreSQL: compressed by lz4 (cheaper than the default pglz at a
city's publish), the documents themselves unchanged."""

import pytest
from django.db import connection

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
