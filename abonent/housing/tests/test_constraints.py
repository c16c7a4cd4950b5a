"""The database itself refuses a broken register, whatever code writes to it (SQLite and PostgreSQL alike)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_database_refuses_a_duplicate_account_number_in_an_organisation():
    # given an account 820000123
    account = f.PersonalAccountFactory(number="820000123")
    # when another row with that number in that organisation is written, bypassing every form
    refused(lambda: f.PersonalAccountFactory(premises=account.premises, number="820000123"))
    # then only the first is there
    assert PersonalAccount.objects.filter(number="820000123").count() == 1


def test_the_same_account_number_in_two_organisations_is_fine():
    f.PersonalAccountFactory(number="820000123")
    f.PersonalAccountFactory(number="820000123")
    assert PersonalAccount.objects.filter(number="820000123").count() == 2


def test_database_refuses_renumbering_onto_an_existing_account():
    first = f.PersonalAccountFactory(number="820000123")
    second = f.PersonalAccountFactory(premises=first.premises, number="820000124")
    refused(lambda: PersonalAccount.objects.filter(pk=second.pk).update(number="820000123"))


@pytest.mark.parametrize("field", ["total_area", "common_area"])
def test_database_refuses_a_negative_building_area(field):
    organisation = f.OrganisationFactory()
    refused(
        lambda: Building.objects.create(organisation=organisation, address="ул. Ленина, 1", **{field: Decimal("-1")})
    )
    assert not Building.objects.exists()


@pytest.mark.parametrize("field", ["total_area", "living_area"])
def test_database_refuses_a_negative_premises_area(field):
    premises = f.PremisesFactory()
    refused(lambda: Premises.objects.filter(pk=premises.pk).update(**{field: Decimal("-0.01")}))
    premises.refresh_from_db()
    assert premises.total_area == Decimal("54.30")


def test_database_refuses_two_premises_with_one_number_in_a_building():
    premises = f.PremisesFactory(number="12")
    refused(lambda: f.PremisesFactory(building=premises.building, number="12"))


def test_database_refuses_an_account_closed_before_it_opened():
    account = f.PersonalAccountFactory()
    refused(lambda: PersonalAccount.objects.filter(pk=account.pk).update(closed_on="2019-12-31"))
