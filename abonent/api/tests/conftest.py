"""A resident with an account of three published months (billing's own test set-up), a meter, and API clients
with tokens of each scope; a second resident with their own account, for the isolation tests."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from abonent.api import tokens
from abonent.billing.tests.test_statements import _setup
from abonent.testing import factories as f

# In the readings window of November 2026 (the factories' organisation: days 7–25, Europe/Ulyanovsk).
IN_WINDOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def client_with(user, scope="write") -> APIClient:
    _, raw = tokens.token_create(user=user, name=f"тест {scope}", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_token = raw
    return client


class Resident:
    def __init__(self):
        self.org, self.account, self.user, self.period = _setup(3)
        self.meter = f.MeterFactory(premises=self.account.premises)
        self.write = client_with(self.user, "write")
        self.read = client_with(self.user, "read")


@pytest.fixture
def resident(db):
    return Resident()


@pytest.fixture
def stranger(db):
    """Another resident (another organisation too), with an account, a meter and a token of their own."""
    return Resident()
