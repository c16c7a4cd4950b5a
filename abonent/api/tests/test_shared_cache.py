"""With the deployment's shared cache (Redis, as REDIS_URL configures it): a resident's token is read from Redis
rather than the database, a revocation removes it from Redis before it answers (so no worker of any process keeps
it), a deactivated user's token stops too, and the rate limit is one counter in Redis for all workers. The account's
answer is kept whole per user: served without a query, renewed by a payment, gone at once with the link."""

from decimal import Decimal as D

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from abonent.api.models import AccessToken
from abonent.api.throttling import PerTokenThrottle
from abonent.api.tokens import digest
from abonent.billing.ledger import ledger_post_payment
from abonent.testing.workers import REDIS_URL
from abonent.users.models import AccountLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_redis(settings):
    raw = redis.Redis.from_url(REDIS_URL)
    try:
        raw.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis не отвечает")
    settings.CACHES = {"default": {"BACKEND": "abonent.cache_backends.SharedRedisCache", "LOCATION": REDIS_URL}}
    settings.SHARED_CACHE = settings.SUBSCRIBER_PAGE_CACHE = True
    caches._settings = caches.settings = settings.CACHES  # the handler reads its settings once
    caches._connections.__dict__.pop("default", None)
    yield raw
    caches._connections.__dict__.pop("default", None)
    raw.flushdb()


def _token_keys(raw) -> list[bytes]:
    return [k for k in raw.keys("*") if b"api:token:" in k]


def test_token_from_redis_and_revoked_everywhere_at_once(resident, shared_redis, client, django_assert_num_queries):
    api = resident.read
    url = f"/api/v1/accounts/{resident.account.pk}/"
    assert api.get(url).status_code == 200
    token = AccessToken.objects.get(digest=digest(api.raw_token))
    assert [k.endswith(digest(api.raw_token).encode()) for k in _token_keys(shared_redis)] == [True]
    with django_assert_num_queries(0):  # the token with its user, and the account's answer, from Redis
        assert api.get(url).json()["id"] == resident.account.pk
    client.force_login(resident.user)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    assert _token_keys(shared_redis) == []  # gone from Redis, which every process reads
    answer = api.get(url)
    assert answer.status_code == 401 and "отозван" in answer.json()["error"]["message"]
    assert _token_keys(shared_redis) == []  # and not put back by the refused request


def test_deactivated_users_token_stops_at_once(resident, shared_redis):
    api = resident.read
    assert api.get("/api/v1/me/").status_code == 200
    resident.user.is_active = False
    resident.user.save()
    assert api.get("/api/v1/me/").status_code == 401


def test_rate_limit_is_one_counter_in_redis(resident, shared_redis, monkeypatch):
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "3/min"})
    for _ in range(3):
        assert resident.read.get("/api/v1/me/").status_code == 200
    (key,) = [k for k in shared_redis.keys("*") if b"api:rate:" in k]
    assert int(shared_redis.get(key)) == 3 and 0 < shared_redis.ttl(key) <= 60
    limited = resident.read.get("/api/v1/me/")
    assert limited.status_code == 429 and 1 <= limited.json()["error"]["retry_after"] <= 60
    assert resident.write.get("/api/v1/me/").status_code == 200  # another token counts apart


def test_account_answer_cached_renewed_by_a_payment_and_gone_with_the_link(resident, shared_redis, stranger):
    url = f"/api/v1/accounts/{resident.account.pk}/"
    first = resident.read.get(url).json()
    assert resident.read.get(url).json() == first
    assert stranger.read.get(url).status_code == 404  # another user never reads the entry
    ledger_post_payment(account=resident.account, amount=D("100.00"), paid_on=resident.org.today(), source="test",
                        external_id="p-1")  # fmt: skip
    after = resident.read.get(url).json()
    assert D(after["debt"]) == D(first["debt"]) - D("100.00")
    AccountLink.objects.filter(user=resident.user, account=resident.account).delete()
    assert resident.read.get(url).status_code == 404
