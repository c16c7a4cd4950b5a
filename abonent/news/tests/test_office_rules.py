"""The news rules the office relies on: a draft or an item taken down is not public (the news selector the pages and the API share), its form
refuses what the model refuses, in Russian."""

import datetime as dt

import pytest
from django.urls import reverse

from abonent.news.forms import NewsForm
from abonent.news.models import News
from abonent.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_an_unpublished_item_is_nowhere_public(client):
    org = OrganisationFactory()
    draft = News.objects.create(organisation=org, title="Черновик", body="x", published_on=org.today(),
                                is_published=False)  # fmt: skip
    assert "Черновик" not in client.get(reverse("news:list")).content.decode()
    assert client.get(reverse("news:detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"title": ""}, "title", "обязательно"),
        ({"title": "x" * 201}, "title", "200"),
        ({"body": "   "}, "body", "обязательно"),
        ({"published_on": "32.12.2026"}, "published_on", "ДД.ММ.ГГГГ"),
        ({"title": "Новость\ufffd"}, "title", "нечитаемые"),
    ],
)
def test_the_form_refuses_in_russian(data, field, error):
    form = NewsForm({"title": "Отключение", "body": "Текст", "published_on": "01.12.2026", **data})
    assert not form.is_valid()
    assert error in form.errors[field][0]


def test_the_form_reads_the_sites_date():
    form = NewsForm({"title": "Отключение", "body": "Текст", "published_on": "01.12.2026", "pinned": "on"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["published_on"] == dt.date(2026, 12, 1) and form.cleaned_data["pinned"]
