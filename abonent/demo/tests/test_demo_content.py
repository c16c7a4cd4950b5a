"""A fresh demo fills the pages that would otherwise open empty: news (one pinned), the paid-service catalogue,
and the other ways to pay on the pay page."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from abonent.demo.logins import DEMO_SUBSCRIBER
from abonent.news.models import News
from abonent.payments.models import PayPoint
from abonent.support.models import PaidService

pytestmark = pytest.mark.django_db


def _seed(*args):
    call_command("seed_demo", "--verbosity", "0", "--months", "0", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_news_catalogue_and_pay_points_show_and_reset(client):
    _seed()
    for code in ("vodokanal", "uk"):
        news = News.objects.filter(organisation__code=code)
        assert news.count() == 3 and news.filter(pinned=True).count() == 1
        assert PaidService.objects.filter(organisation__code=code, is_active=True).count() == 4
        kinds = set(PayPoint.objects.filter(organisation__code=code).values_list("kind", flat=True))
        assert {PayPoint.Kind.BANK_LINK, PayPoint.Kind.OFFICE} <= kinds
    news_page = client.get(reverse("news:list")).content.decode()
    pinned = news_page.index("Приём показаний счётчиков")
    assert pinned < news_page.index("Оплата без комиссии") and pinned < news_page.index("График работы")
    client.force_login(get_user_model().objects.get(username=DEMO_SUBSCRIBER.username))
    catalogue = client.get(reverse("support:paid_services")).content.decode()
    assert "Замена прибора учёта воды" in catalogue and "Прочистка канализации" in catalogue
    pay = client.get(reverse("payments:pay")).content.decode()
    assert "СберБанк Онлайн" in pay and "Касса водоканала" in pay and "Офис управляющей компании" in pay
    _seed("--reset")
    assert News.objects.count() == 6 and PaidService.objects.count() == 8 and PayPoint.objects.count() == 9
