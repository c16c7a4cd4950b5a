import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from abonent.notifications.services import notification_set
from abonent.outages import services
from abonent.outages.models import Outage, OutageNotice
from abonent.testing.factories import BuildingFactory, OrganisationFactory
from abonent.testing.smtp import smtp_server

from .conftest import make_outage

pytestmark = pytest.mark.django_db

ADD = "admin:outages_outage_add"


def _form(buildings, start: dt.datetime, end: dt.datetime, **extra) -> dict:
    return {
        "kind": "planned",
        "resource": "hot_water",
        "starts_at_0": f"{start:%d.%m.%Y}",
        "starts_at_1": f"{start:%H:%M}",
        "ends_at_0": f"{end:%d.%m.%Y}",
        "ends_at_1": f"{end:%H:%M}",
        "buildings": [b.pk for b in buildings],
        "description": "Промывка тепловой сети.",
        **extra,
    }


def _tomorrow_local(org, hour: int) -> dt.datetime:
    return dt.datetime.combine(org.today() + dt.timedelta(days=1), dt.time(hour))


def test_publish_in_admin_tells_the_house_once_and_nobody_else(
    client, settings, operator, org, house, subscriber, neighbour, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    start, end = _tomorrow_local(org, 10), _tomorrow_local(org, 18)
    with smtp_server(settings) as inbox, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(ADD), _form([house], start, end))
        assert response.status_code == 302, response.content.decode()[:3000]
        outage = Outage.objects.get()
        # Edited later (the description): no second letter.
        change = reverse("admin:outages_outage_change", args=[outage.pk])
        response = client.post(change, _form([house], start, end, description="Промывка; возьмите воду заранее."))
        assert response.status_code == 302
    assert outage.organisation == org
    # Typed as the organisation's local time (Yekaterinburg, UTC+5): 10:00 there is 05:00 UTC.
    assert outage.starts_at == start.replace(tzinfo=org.tz)
    assert outage.starts_at.astimezone(dt.UTC).hour == 5
    letters = inbox.to(subscriber.email)
    assert len(letters) == 1 and inbox.to(neighbour.email) == []
    text = letters[0].get_body(preferencelist=("plain",)).get_content()
    assert "горячее водоснабжение" in text and f"{start:%d.%m.%Y} 10:00" in text and "ул. Гончарова" in text
    assert letters[0]["List-Unsubscribe"]
    assert OutageNotice.objects.filter(outage=outage, user=subscriber).count() == 1

    client.force_login(subscriber)
    home = client.get(reverse("users:cabinet")).content.decode()
    assert "Промывка; возьмите воду заранее." in home and f"{start:%d.%m.%Y} 10:00" in home
    assert "Промывка" in client.get(reverse("outages:mine")).content.decode()
    client.force_login(neighbour)
    assert "Промывка" not in client.get(reverse("users:cabinet")).content.decode()
    assert "Промывка" not in client.get(reverse("outages:mine")).content.decode()


def test_house_added_later_tells_only_its_subscribers(
    org, house, other_house, subscriber, neighbour, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outage = make_outage(org, [house])
        assert services.outage_notify(outage) == 1
        outage.buildings.add(other_house)
        assert services.outage_notify(outage) == 1
        assert services.outage_notify(outage) == 0
    assert sorted(m.to[0] for m in mail.outbox) == [subscriber.email, neighbour.email]


def test_opted_out_and_past_outages_send_nothing(org, house, subscriber, django_capture_on_commit_callbacks):
    notification_set(user=subscriber, kind="outage", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outage_notify(make_outage(org, [house])) == 0
        notification_set(user=subscriber, kind="outage", enabled=True)
        assert services.outage_notify(make_outage(org, [house], hours_from_now=-10, hours=2)) == 0
    assert mail.outbox == []
    assert "outage" in dict(__import__("abonent.notifications.models", fromlist=["Kind"]).Kind.choices)


def test_settings_page_offers_outages(client, subscriber):
    client.force_login(subscriber)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'value="outage"' in page and "Отключения" in page


def test_other_organisation_operator_cannot_see_or_edit(client, org, house, other_operator):
    outage = make_outage(org, [house], description="Секретный ремонт")
    client.force_login(other_operator)
    assert "Секретный" not in client.get(reverse("admin:outages_outage_changelist")).content.decode()
    change = reverse("admin:outages_outage_change", args=[outage.pk])
    assert client.get(change).status_code == 404
    assert client.post(change, {"description": "чужое"}).status_code == 404
    assert client.post(reverse("admin:outages_outage_delete", args=[outage.pk]), {"post": "yes"}).status_code == 404
    outage.refresh_from_db()
    assert outage.description == "Секретный ремонт"


def test_end_before_start_refused_in_russian(client, operator, org, house, subscriber):
    client.force_login(operator)
    start = _tomorrow_local(org, 18)
    response = client.post(reverse(ADD), _form([house], start, start - dt.timedelta(hours=2)))
    assert response.status_code == 200
    assert "Окончание должно быть позже начала." in response.content.decode()
    response = client.post(reverse(ADD), {**_form([house], start, start), "starts_at_0": "01.06.0001"})
    assert "Укажите дату между 2000 и 2100 годом." in response.content.decode()
    assert not Outage.objects.exists()


def test_house_of_another_organisation_refused(client, operator, org, house, django_user_model):
    foreign = BuildingFactory(organisation=OrganisationFactory(), address="г. Димитровград, ул. Чужая, д. 1")
    start = _tomorrow_local(org, 9)
    client.force_login(operator)
    form = client.get(reverse(ADD)).content.decode()
    assert "ул. Гончарова" in form and "ул. Чужая" not in form  # only the organisation's houses to pick
    response = client.post(reverse(ADD), _form([house, foreign], start, start + dt.timedelta(hours=3)))
    assert response.status_code == 200 and "Выберите корректный вариант" in response.content.decode()
    # A superuser sees every house, and is told which one is not the organisation's.
    admin = django_user_model.objects.create_superuser("root", "root@example.ru", "pass-2026-word")
    client.force_login(admin)
    data = _form([house, foreign], start, start + dt.timedelta(hours=3), organisation=org.pk)
    response = client.post(reverse(ADD), data)
    assert response.status_code == 200
    assert "Эти дома обслуживает другая организация: г. Димитровград, ул. Чужая, д. 1." in response.content.decode()
    assert not Outage.objects.exists()


def test_public_list_by_house_filtered_by_organisation_and_date(client, org, house, other_house):
    other_org = OrganisationFactory(code="teplo", short_name="Теплосеть")
    make_outage(org, [house, other_house], description="Замена задвижки")
    make_outage(other_org, [BuildingFactory(organisation=other_org)], description="Опрессовка", hours_from_now=72)
    make_outage(org, [house], description="Давно закончилось", hours_from_now=-100)
    body = client.get(reverse("outages:list")).content.decode()
    assert body.count("Замена задвижки") == 2 and "Опрессовка" in body and "Давно закончилось" not in body
    assert body.index("ул. Гончарова") < body.index("ул. Минаева")  # by street
    only = client.get(reverse("outages:list"), {"org": "vodokanal"}).content.decode()
    assert "Замена задвижки" in only and "Опрессовка" not in only
    in_three_days = timezone.now().astimezone(other_org.tz) + dt.timedelta(hours=73)
    on_day = client.get(reverse("outages:list"), {"day": f"{in_three_days:%d.%m.%Y}"}).content.decode()
    assert "Опрессовка" in on_day and "Замена задвижки" not in on_day
    past = timezone.now().astimezone(org.tz) - dt.timedelta(hours=97)
    assert "Давно закончилось" in client.get(reverse("outages:list"), {"day": f"{past:%d.%m.%Y}"}).content.decode()


@pytest.mark.parametrize("day", ["32.13.2026", "01.01.0001", "завтра", "1" * 40])
def test_public_list_bad_date_is_a_russian_400(client, org, day):
    response = client.get(reverse("outages:list"), {"day": day})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Введите дату в виде дд.мм.гггг" in text or "Укажите дату между" in text
    assert client.get(reverse("outages:list"), {"org": "nope"}).status_code == 404


@pytest.mark.parametrize("whole_page_cached", [False, True])
def test_home_block_renewed_when_an_outage_is_added_edited_or_removed(
    client, settings, org, house, subscriber, whole_page_cached, django_capture_on_commit_callbacks
):
    settings.SUBSCRIBER_PAGE_CACHE = whole_page_cached
    client.force_login(subscriber)
    assert "Отключения и ремонтные работы по вашим адресам" not in client.get("/cabinet/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        outage = make_outage(org, [house], description="Первая версия")
    assert "Первая версия" in client.get("/cabinet/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        outage.description = "Вторая версия"
        outage.save()
    assert "Вторая версия" in client.get("/cabinet/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        outage.buildings.clear()
    assert "Вторая версия" not in client.get("/cabinet/").content.decode()
