"""The typo report's endpoint and the back office's list of reports."""

import pytest
from django.test import Client
from django.urls import reverse

from abonent.support.models import TypoReport
from abonent.support.typos import TYPO_PER_IP
from abonent.testing.factories import OperatorFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/typo/"


def report(client, **data):
    data = {"text": "Тарифф", "context": "Тарифф на холодную воду", "url": "/tariffs/", "comment": "Тариф", **data}
    return client.post(URL, data, REMOTE_ADDR=data.pop("ip", "192.0.2.10"))


def test_anonymous_report_is_stored(client):
    response = report(client)
    assert response.status_code == 201 and response.json()["ok"]
    stored = TypoReport.objects.get()
    assert (stored.text, stored.context, stored.url, stored.comment) == (
        "Тарифф",
        "Тарифф на холодную воду",
        "/tariffs/",
        "Тариф",
    )
    assert stored.user is None and stored.organisation is None and stored.created_at


def test_logged_in_report_on_an_organisations_page(client, subscriber, account):
    client.force_login(subscriber)
    org = account.organisation
    assert report(client, url=f"http://testserver/o/{org.code}/contacts/?x=1").status_code == 201
    assert report(client, url=f"/cabinet/accounts/{account.pk}/readings/").status_code == 201
    first, second = TypoReport.objects.order_by("id")
    assert first.url == f"/o/{org.code}/contacts/?x=1" and first.organisation == org and first.user == subscriber
    assert second.organisation == org


def test_another_subscribers_account_page_names_no_organisation(client, stranger, account):
    client.force_login(stranger)
    assert report(client, url=f"/cabinet/accounts/{account.pk}/").status_code == 201
    assert TypoReport.objects.get().organisation is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": "а" * 301}, "Не длиннее 300 знаков"),
        ({"comment": "б" * 1001}, "Не длиннее 1000 знаков"),
        ({"context": "в" * 1001}, "Не длиннее 1000 знаков"),
        ({"url": "/" + "г" * 500}, "Не длиннее 500 знаков"),
        ({"text": "   "}, "Выделите на странице текст с ошибкой."),
        ({"url": "https://evil.example/tariffs/"}, "только об ошибке на страницах этого сайта"),
        ({"url": "//evil.example/"}, "только об ошибке на страницах этого сайта"),
        ({"url": "/\\evil.example/"}, "только об ошибке на страницах этого сайта"),
        ({"url": "javascript:alert(1)"}, "только об ошибке на страницах этого сайта"),
        ({"url": ""}, "только об ошибке на страницах этого сайта"),
        ({"comment": "с\x00нулём"}, "недопустимый символ"),
    ],
)
def test_bad_input_is_refused_in_russian(client, data, error):
    response = report(client, **data)
    assert response.status_code == 400
    assert any(error in message for message in response.json()["errors"]), response.json()
    assert not TypoReport.objects.exists()


def test_rate_limited_per_ip(client):
    limit = TYPO_PER_IP[0]
    for _ in range(limit):
        assert report(client).status_code == 201
    refused = report(client)
    assert refused.status_code == 429
    assert "Слишком много сообщений" in refused.json()["errors"][0]
    assert report(client, ip="192.0.2.11").status_code == 201  # another address is not held up
    assert TypoReport.objects.count() == limit + 1


def test_needs_the_csrf_token_and_post(client):
    strict = Client(enforce_csrf_checks=True)
    assert report(strict).status_code == 403
    page = strict.get("/tariffs/").content.decode()
    assert 'id="typo-dialog"' in page and 'action="/typo/"' in page
    token = strict.cookies["csrftoken"].value
    assert strict.post(URL, {"text": "x", "url": "/", "csrfmiddlewaretoken": token}).status_code == 201
    assert client.get(URL).status_code == 405


def test_back_office_shows_an_operator_only_their_organisations_reports(client, account):
    own = TypoReport.objects.create(text="своя", url="/", organisation=account.organisation)
    other = TypoReport.objects.create(text="чужая", url="/", organisation=OrganisationFactory())
    site = TypoReport.objects.create(text="общая", url="/")
    changelist = reverse("admin:support_typoreport_changelist")
    client.force_login(OperatorFactory(organisation=account.organisation))
    listing = client.get(changelist).content.decode()
    assert "своя" in listing and "чужая" not in listing and "общая" not in listing
    assert client.get(reverse("admin:support_typoreport_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:support_typoreport_change", args=[other.pk])).status_code == 404
    assert client.get(reverse("admin:support_typoreport_add")).status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(changelist).content.decode()
    assert all(text in listing for text in ("своя", "чужая", "общая"))
    assert client.get(reverse("admin:support_typoreport_change", args=[site.pk])).status_code == 200
