"""orgs.cached: the organisation from the shared cache, dropped at once when it is saved or deleted."""

import pytest

from abonent.orgs import cached
from abonent.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared(settings):
    settings.SHARED_CACHE = True


def test_second_read_comes_from_the_cache(django_assert_num_queries):
    org = OrganisationFactory(readings_last_day=25)
    cached.organisation(org.pk)
    with django_assert_num_queries(0):
        assert cached.organisation(org.pk).readings_last_day == 25


def test_a_saved_change_is_seen_at_once():
    org = OrganisationFactory(readings_last_day=25, timezone="Europe/Moscow")
    cached.organisation(org.pk)
    org.readings_last_day, org.timezone = 20, "Asia/Yekaterinburg"
    org.save()
    fresh = cached.organisation(org.pk)
    assert (fresh.readings_last_day, fresh.timezone) == (20, "Asia/Yekaterinburg")


def test_without_a_shared_cache_every_read_is_the_databases(settings, django_assert_num_queries):
    settings.SHARED_CACHE = False
    org = OrganisationFactory()
    cached.organisation(org.pk)
    with django_assert_num_queries(1):
        cached.organisation(org.pk)
