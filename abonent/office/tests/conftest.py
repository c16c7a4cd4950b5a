"""The office's test world: the demo (two organisations, a few published months) and operators of each role."""

import io

import pytest
from django.core.management import call_command

from abonent.office.models import OfficeRole, Role
from abonent.orgs.models import Organisation
from abonent.testing import factories as f

PASSWORD = "pass-2026-word"


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo seeded once for a module of tests that only read it (seeding takes a while), then emptied."""
    with django_db_blocker.unblock():
        call_command("seed_demo", "--months", "2", verbosity=0, stdout=io.StringIO())
        yield list(Organisation.objects.order_by("pk"))
        call_command("flush", "--no-input", verbosity=0)


@pytest.fixture
def demo(demo_module, db):
    return demo_module


def make_operator(organisation, role: str | None, username: str | None = None):
    user = f.OperatorFactory(organisation=organisation, **({"username": username} if username else {}))
    if role is not None:
        OfficeRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def operators(demo):
    """One operator of each role in the first organisation."""
    org = demo[0]
    return {role: make_operator(org, role) for role in Role.values}
