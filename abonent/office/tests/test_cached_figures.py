"""What the office caches (sums over published periods, frozen under the periods' ids and publication times) equals
the same figures computed afresh after new data arrives: a month published after the cache was filled, a payment
in the open month. Hand-computed figures on a small world."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry
from abonent.billing.statements import debts
from abonent.office import money, turnover

from .world import world

pytestmark = pytest.mark.django_db
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def _published(w, month, **figures):
    period = BillingPeriod.objects.create(organisation=w["org"], month=month, state="published",
                                          published_at=timezone.now())  # fmt: skip
    AccountBalance.objects.create(account=w["account"], period=period, **{k: Decimal(v) for k, v in figures.items()})
    return period


def _figures(org):
    last = money.last_published(org)
    page = turnover.sheet(org, OCT, last.month, page=slice(0, 1))
    return {
        "debt": money.total_debt(org),
        "year": [(m.month, m.charged, m.paid, m.debt) for m in money.months_money(org, last.month)],
        "paid": money.paid_in(last),
        "sheet": (page.total.figures(), page.count),
    }


def _afresh(org):
    cache.clear()
    return _figures(org)


def test_cached_figures_equal_a_recomputation_after_a_new_month_and_a_payment():
    w = world()
    _published(w, OCT, opening="6000", charged="3000", closing="9000")
    before = _figures(w["org"])  # fills the cache
    assert before["debt"] == (Decimal("9000.00"), 1)
    assert before["sheet"] == ([Decimal(v) for v in ("6000", "3000", "0", "0", "0", "9000")], 1)
    _published(w, NOV, opening="9000", charged="3000", paid="2000", closing="10000")
    LedgerEntry.objects.create(account=w["account"], period=w["period"], kind="payment", amount=Decimal("500.00"),
                               occurred_on=dt.date(2026, 12, 2), idempotency_key="cached:december")  # fmt: skip
    after = _figures(w["org"])
    assert after == _afresh(w["org"])
    assert after["debt"] == (Decimal("9500.00"), 1) == (debts([w["account"].pk])[w["account"].pk], 1)
    assert after["year"] == [(OCT, Decimal("3000.00"), Decimal("0.00"), Decimal("9000.00")),
                             (NOV, Decimal("3000.00"), Decimal("2000.00"), Decimal("10000.00"))]  # fmt: skip
    assert after["paid"] == Decimal("2000.00")
    # October to November: October's opening, November's closing, the rest added up
    assert after["sheet"] == ([Decimal(v) for v in ("6000", "6000", "0", "0", "2000", "10000")], 1)
    assert after["sheet"][0] == turnover.sheet(w["org"], OCT, NOV).total.figures()  # the whole sheet, summed live
