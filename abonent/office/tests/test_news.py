"""News in the office: the dispatcher writes a draft, edits it, publishes it (the portal's news page shows it),
pins it, takes it down (gone from the portal); every step logged; bad input says why and writes nothing; the
auditor reads and cannot change."""

import pytest

from abonent.news.models import News
from abonent.office.models import OfficeAction, Role
from abonent.testing import factories as f

from .conftest import make_operator

pytestmark = pytest.mark.django_db


def _form(org, **data):
    return {"title": "Отключение воды 5 декабря", "body": "С 10:00 до 14:00 по ул. Ленина.",
            "published_on": f"{org.today():%d.%m.%Y}", **data}  # fmt: skip


def test_the_dispatcher_writes_publishes_pins_and_takes_down_a_news_item(client):
    org = f.OrganisationFactory(code="uk-news")
    dispatcher = make_operator(org, Role.DISPATCHER)
    client.force_login(dispatcher)
    response = client.post("/office/news/new/", _form(org), follow=True)  # follow: the message is shown there
    item = News.objects.get()
    assert response.redirect_chain == [(f"/office/news/{item.pk}/", 302)]
    assert (item.organisation, item.is_published) == (org, False)  # a draft until published
    public = "/news/?org=uk-news"
    assert "Отключение воды" not in client.get(public).content.decode()
    client.post(f"/office/news/{item.pk}/", _form(org, title="Отключение воды 6 декабря"), follow=True)
    client.post(f"/office/news/{item.pk}/state/", {"action": "publish"}, follow=True)
    assert "Отключение воды 6 декабря" in client.get(public).content.decode()
    client.post(f"/office/news/{item.pk}/state/", {"action": "pin"})
    item.refresh_from_db()
    assert item.pinned and item.is_published
    listing = client.get("/office/news/").content.decode()
    assert "Опубликована" in listing and "Открепить" in listing
    client.post(f"/office/news/{item.pk}/state/", {"action": "unpublish"}, follow=True)
    assert "Отключение воды" not in client.get(public).content.decode()
    kinds = list(OfficeAction.objects.filter(actor=dispatcher).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["news_saved", "news_saved", "news_published", "news_pinned", "news_unpublished"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": ""}, "обязательно для заполнения"),
        ({"title": "Заголовок" * 30}, "200"),
        ({"published_on": "31.02.2026"}, "ДД.ММ.ГГГГ"),
        ({"published_on": "０１.１２.２０２６"}, "цифрами 0–9"),
    ],
)
def test_bad_input_says_why_and_writes_nothing(client, data, error):
    org = f.OrganisationFactory()
    item = News.objects.create(organisation=org, title="Было", body="Текст", published_on=org.today())
    client.force_login(make_operator(org, Role.DISPATCHER))
    new = client.post("/office/news/new/", _form(org, **data))
    assert new.status_code == 400 and error in new.content.decode()
    edit = client.post(f"/office/news/{item.pk}/", _form(org, **data))
    assert edit.status_code == 400 and error in edit.content.decode()
    assert list(News.objects.values_list("title", flat=True)) == ["Было"]
    state = client.post(f"/office/news/{item.pk}/state/", {"action": "explode"})
    assert state.status_code == 400 and "Неизвестное действие" in state.content.decode()
    item.refresh_from_db()
    assert item.is_published and not item.pinned
    assert not OfficeAction.objects.exists()


def test_the_auditor_reads_the_news_and_has_nothing_to_change_with(client):
    org = f.OrganisationFactory()
    item = News.objects.create(organisation=org, title="Собрание жильцов", body="В среду в 19:00.",
                               published_on=org.today(), is_published=False)  # fmt: skip
    client.force_login(make_operator(org, Role.AUDITOR))
    page = client.get(f"/office/news/{item.pk}/").content.decode()
    assert "В среду в 19:00." in page and "<form" not in page.split("<main", 1)[1]
    assert "Опубликовать" not in client.get("/office/news/").content.decode()
    assert client.post(f"/office/news/{item.pk}/state/", {"action": "publish"}).status_code == 403
    item.refresh_from_db()
    assert not item.is_published
