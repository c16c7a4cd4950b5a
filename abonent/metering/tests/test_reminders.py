"""Reading reminders: due on the right local days, to the right people, each once."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from abonent.metering.models import Reading, ReadingReminder, ReminderPreference
from abonent.notifications.models import Kind
from abonent.notifications.selectors import wants
from abonent.notifications.services import notification_set
from abonent.testing.factories import AccountLinkFactory, MeterFactory, PersonalAccountFactory

from .conftest import UTC, add_reading

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def run():
    call_command("send_reading_reminders", stdout=io.StringIO())


def at(day, hour=6):
    return time_machine.travel(dt.datetime(2026, 11, day, hour, tzinfo=UTC), tick=False)


def test_window_opening_reminder_goes_once(mailoutbox, user, account, meter):
    with at(6, 19):  # 6 Nov 19:00 UTC = 23:00 in Ulyanovsk: not yet open
        run()
    assert mailoutbox == []
    with at(6, 21):  # 7 Nov 01:00 local: open
        run()
        run()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [user.email] and "Открыт приём показаний" in mail.subject
    assert "с 07.11.2026 по 25.11.2026" in mail.body and f"/cabinet/accounts/{account.pk}/readings/" in mail.body
    assert mail.alternatives and "<a href=" in mail.alternatives[0][0]
    assert ReadingReminder.objects.get().kind == ReadingReminder.Kind.OPENS


def test_closing_reminder_only_to_those_who_have_not_sent(mailoutbox, user, account, meter, org, premises):
    other_account = PersonalAccountFactory(premises=MeterFactory(premises__building=premises.building).premises)
    diligent = AccountLinkFactory(account=other_account).user
    add_reading(other_account.premises.meters.get(), NOV, "5", status=Reading.Status.PENDING)
    with at(23):
        run()
        run()
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "заканчивается 25.11.2026" in mailoutbox[0].body
    assert not ReadingReminder.objects.filter(user=diligent).exists()
    with at(26):
        run()
    assert len(mailoutbox) == 1


def test_no_reminder_without_a_working_meter_or_email(mailoutbox, user, account, meter):
    meter.verification_due = dt.date(2026, 11, 1)
    meter.save()
    with at(10):
        run()
    assert mailoutbox == []


def test_a_user_who_turned_reminders_off_gets_none(client, mailoutbox, user, account, meter):
    client.force_login(user)
    url = reverse("metering:reminder_settings")
    assert 'name="enabled" value="1" checked' in client.get(url).content.decode()
    client.post(url, {})  # the box unticked
    assert not ReminderPreference.objects.get(user=user).enabled
    assert 'value="1" checked' not in client.get(url).content.decode()
    with at(10):
        run()
    assert mailoutbox == []
    client.post(url, {"enabled": "1"})
    with at(10):
        run()
    assert len(mailoutbox) == 1 and "/cabinet/reading-reminders/" in mailoutbox[0].body


def test_reminder_settings_need_login(client):
    response = client.get(reverse("metering:reminder_settings"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_notification_settings_are_respected_per_kind_with_unsubscribe_link(client, mailoutbox, user, account, meter):
    # given a user who turned the "window opens" e-mails off in the notification settings
    notification_set(user=user, kind=Kind.READINGS_OPENS, enabled=False)
    with at(10):
        run()
    assert mailoutbox == [] and not ReadingReminder.objects.exists()
    # the closing reminder is another kind: it comes, with its own one-click unsubscribe link
    with at(23):
        run()
        run()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert "/cabinet/reading-reminders/" in mail.body  # the reminders' own opt-out is still offered
    link = mail.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in mail.body and link in mail.alternatives[0][0]
    client.post("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert not wants(user, Kind.READINGS_CLOSES) and wants(user, Kind.RECEIPT)
