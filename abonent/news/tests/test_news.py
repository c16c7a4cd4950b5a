import datetime as dt

import pytest
from django.urls import reverse

from abonent.news.models import News
from abonent.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_list_pinned_first_future_hidden_per_org(client):
    org, other = OrganisationFactory(code="vodokanal"), OrganisationFactory(code="uk")
    today = org.today()
    old = News.objects.create(organisation=org, title="Старая", body="a", published_on=today - dt.timedelta(days=9))
    pinned = News.objects.create(
        organisation=org, title="Закреплённая", body="b", published_on=today - dt.timedelta(days=30), pinned=True
    )
    News.objects.create(organisation=org, title="Будущая", body="c", published_on=today + dt.timedelta(days=1))
    News.objects.create(organisation=other, title="Чужая", body="<b>x</b>", published_on=today)
    body = client.get(reverse("news:list") + "?org=vodokanal").content.decode()
    assert body.index("Закреплённая") < body.index("Старая")
    assert "Будущая" not in body and "Чужая" not in body
    everything = client.get(reverse("news:list")).content.decode()
    assert "Чужая" in everything and "Будущая" not in everything
    assert client.get(reverse("news:list") + "?org=nope").status_code == 404
    assert client.get(reverse("news:detail", args=[pinned.pk])).status_code == 200
    assert client.get(reverse("news:detail", args=[old.pk])).status_code == 200


def test_future_detail_is_404_and_html_escaped(client):
    org = OrganisationFactory()
    future = News.objects.create(
        organisation=org, title="Скоро", body="x", published_on=org.today() + dt.timedelta(days=2)
    )
    assert client.get(reverse("news:detail", args=[future.pk])).status_code == 404
    item = News.objects.create(organisation=org, title="T", body="<script>1</script>", published_on=org.today())
    body = client.get(reverse("news:detail", args=[item.pk])).content.decode()
    assert "&lt;script&gt;" in body and "<script>1" not in body
