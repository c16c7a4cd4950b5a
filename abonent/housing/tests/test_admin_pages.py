"""The house, premises and account pages show the parts the higher apps add to them, in the order they always had."""

import pytest

from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.orgs.tests.test_admin_scope import url
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def premises(client):
    operator = f.OperatorFactory()
    client.force_login(operator)
    return f.PremisesFactory(building__organisation=operator.organisation)


def inline_names(response) -> list[str]:
    return [type(formset.opts).__name__ for formset in response.context["inline_admin_formsets"]]


def test_house_page_lists_its_premises_then_its_common_meters(premises, client):
    response = client.get(url(Building, "change", premises.building.pk))
    assert inline_names(response) == ["PremisesInline", "HouseMeterInline"]


def test_premises_page_lists_its_meters_then_its_accounts(premises, client):
    response = client.get(url(Premises, "change", premises.pk))
    assert inline_names(response) == ["MeterInline", "AccountInline"]


def test_account_page_lists_the_services_it_does_not_receive(premises, client):
    account = f.PersonalAccountFactory(premises=premises)
    assert inline_names(client.get(url(PersonalAccount, "change", account.pk))) == ["AccountServiceOffInline"]
    # the new-account form stays the plain form
    assert inline_names(client.get(url(PersonalAccount, "add"))) == []


def test_account_list_offers_the_registration_reset(premises, client):
    f.PersonalAccountFactory(premises=premises)
    response = client.get(url(PersonalAccount, "changelist"))
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "reset_registration" in actions
