"""The rule matching a registry line to an account: the number as written, trimmed, of the importing organisation
only; lines imported before are duplicates whether they were matched or not."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.payments import matching, registry
from abonent.payments.registry_parse import Line
from abonent.testing import factories as f

from .conftest import indebted_account
from .test_registry import build, line

pytestmark = pytest.mark.django_db


def parsed(account, pid="M1"):
    return Line(1, dt.date(2026, 11, 5), pid, account, "", D("10.00"), [], "")


def test_number_trimmed_and_compared_exactly_within_the_organisation():
    account = indebted_account()
    other = f.PersonalAccountFactory(
        premises=f.PremisesFactory(building=f.BuildingFactory(organisation=f.OrganisationFactory()))
    )
    lines = [parsed(account.number, "A"), parsed("0" + account.number, "B"), parsed(other.number, "C")]
    found = matching.match(lines, account.organisation_id)
    assert [(line.payment_id, pk) for _, line, pk in found.matched()] == [("A", account.pk)]
    assert [line.payment_id for _, line in found.unmatched()] == ["B", "C"]
    raw = line(f"  {account.number} ", "10.00", "T1")
    assert registry.parse(build([raw]), registry.SBER)[0].account == account.number


def test_lines_imported_before_are_duplicates_matched_or_not():
    account = indebted_account()
    org = account.organisation
    data = build([line(account.number, "10.00", "D1"), line("404404", "20.00", "D2")])
    registry.registry_import(organisation=org, data=data, file_name="r.txt")
    lines = registry.parse(data, registry.SBER) + [parsed(account.number, "D3")]
    found = matching.match(lines, org.pk)
    assert found.duplicates == 2
    assert list(found.fresh) == [f"{org.pk}:D3:2026-11-05:10.00"]
