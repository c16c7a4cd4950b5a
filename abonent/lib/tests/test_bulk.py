"""lib.bulk's COPY writer, on the database the tests run on (PostgreSQL with DATABASE_URL, SQLite by default):
both ways of writing (psycopg's own and the text formatted here) keep every value, COPY's special characters too."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session

from abonent.lib import bulk

pytestmark = pytest.mark.django_db

ODD = ["таб\tв середине", "перевод\nстроки", "обратная \\ черта", "возврат\rкаретки", r"\N буквально"]


@pytest.mark.parametrize("free_text", [None, (0,)])
def test_values_with_copy_special_characters_arrive_unchanged(free_text):
    bulk.insert_rows(Group, ("name",), [(name,) for name in ODD], free_text=free_text)
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ODD)


def test_dates_are_written_as_text_too():
    expires = dt.datetime(2026, 11, 23, 10, 5, 7, 123456, tzinfo=dt.UTC)
    rows = [("k1", "данные\tс табуляцией", expires), ("k2", "", expires + dt.timedelta(days=1))]
    bulk.insert_rows(Session, ("session_key", "session_data", "expire_date"), rows, free_text=(1,))
    assert (
        list(Session.objects.order_by("session_key").values_list("session_key", "session_data", "expire_date")) == rows
    )


def test_nothing_to_write_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.insert_rows(Group, ("name",), [])
