"""The links in a letter open the site it was sent from: SITE_URL when set, else the host of the request that
sent it (an operator answering from the back office on another port)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from abonent.support import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(subscriber, account):
    return services.appeal_create(user=subscriber, account_id=account.pk, topic="other", text="Вопрос", contact="x")


def _answer(client, operator, appeal, django_capture_on_commit_callbacks, **extra):
    client.force_login(operator)
    data = {"assignee": "", "status": appeal.status, "reply_template": "", "reply": "Ответ", "note": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:support_appeal_change", args=[appeal.pk]), data, **extra)
    assert response.status_code == 302
    (letter,) = mail.outbox
    return re.findall(r"https?://\S+", letter.body)


def test_answer_links_use_site_url(client, settings, operator, appeal, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://lk.example.test:8101/"
    links = _answer(client, operator, appeal, django_capture_on_commit_callbacks, HTTP_HOST="localhost:9999")
    assert f"https://lk.example.test:8101/cabinet/appeals/{appeal.pk}/" in links
    assert all(link.startswith("https://lk.example.test:8101/") for link in links)  # the unsubscribe link too
    assert len(links) == 2


def test_without_site_url_links_use_the_requests_host(
    client, settings, operator, appeal, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    links = _answer(client, operator, appeal, django_capture_on_commit_callbacks, HTTP_HOST="localhost:8101")
    assert f"http://localhost:8101/cabinet/appeals/{appeal.pk}/" in links
    assert all(link.startswith("http://localhost:8101/") for link in links)
