"""Every endpoint with an id, asked with another resident's token, answers 404 exactly like a missing id; and
nothing is written through it."""

import pytest
import time_machine

from abonent.metering.models import Reading
from abonent.support.models import AppealMessage

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db


def _urls(resident, stranger, owned):
    a, m = resident.account.pk, resident.meter.pk
    readings = {"readings": [{"meter": m, "value": "10"}], "confirm": True}
    return [
        ("get", f"/api/v1/accounts/{a}/", None),
        ("get", f"/api/v1/accounts/{a}/charges/", None),
        ("get", f"/api/v1/accounts/{a}/movement/", None),
        ("get", f"/api/v1/accounts/{a}/receipts/", None),
        ("get", f"/api/v1/accounts/{a}/receipts/2024-03/pdf/", None),
        ("get", f"/api/v1/accounts/{a}/meters/", None),
        ("get", f"/api/v1/accounts/{a}/meters/{m}/readings/", None),
        # the stranger's own account with the resident's meter: still not theirs
        ("get", f"/api/v1/accounts/{stranger.account.pk}/meters/{m}/readings/", None),
        ("post", f"/api/v1/accounts/{a}/readings/calculate/", readings),
        ("post", f"/api/v1/accounts/{a}/readings/", readings),
        ("get", f"/api/v1/payments/orders/{owned['order']}/", None),
        ("get", f"/api/v1/appeals/{owned['appeal']}/", None),
        ("post", f"/api/v1/appeals/{owned['appeal']}/messages/", {"text": "чужое"}),
        ("get", f"/api/v1/attachments/{owned['attachment']}/", None),
        ("get", f"/api/v1/paid-requests/{owned['request']}/", None),
    ]


@time_machine.travel(IN_WINDOW)
def test_another_residents_ids_answer_404(resident, stranger, owned):
    for method, url, body in _urls(resident, stranger, owned):
        answer = getattr(stranger.write, method)(url, body, format="json")
        assert answer.status_code == 404, (url, answer.status_code)
        assert answer.json()["error"]["code"] == "not_found", url
        # …and the owner gets an answer at the same address (the 404 is about whose it is, not a broken URL)
        if method == "get" and f"/accounts/{stranger.account.pk}/" not in url:
            assert getattr(resident.read, method)(url).status_code == 200, url
    assert not Reading.objects.exists()
    assert AppealMessage.objects.filter(text="чужое").count() == 0


@pytest.mark.parametrize("bad", ["0", "-1", "99999999999999999999999", "abc", "%D9%A5"])
def test_ids_that_are_no_ids_answer_404_in_json(resident, bad):
    for url in (f"/api/v1/accounts/{bad}/", f"/api/v1/appeals/{bad}/", f"/api/v1/news/{bad}/",
                f"/api/v1/accounts/{resident.account.pk}/meters/{bad}/readings/"):  # fmt: skip
        answer = resident.read.get(url)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", url
