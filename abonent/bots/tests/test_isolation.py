"""One chat never reaches another user's data: a crafted button naming user B's meter or account is refused and
changes nothing; B's chat cannot be unlinked by A. And the profile's "Мессенджеры" page: a code, the deep links
of the organisation's bots, the user's own chats listed and unlinked."""

import time_machine
from django.test import Client

from abonent.bots import linking
from abonent.bots.models import ChatLink, LinkCode
from abonent.metering.models import Reading
from abonent.support.models import Appeal
from abonent.testing import factories as f

from .conftest import IN_WINDOW, texts
from .test_flows import _linked


def _neighbour(org):
    """User B: an account and a meter in another flat of the same organisation."""
    premises = f.PremisesFactory(building=f.BuildingFactory(organisation=org))
    link = f.AccountLinkFactory(account=f.PersonalAccountFactory(premises=premises))
    return link.user, link.account, f.MeterFactory(premises=premises)


@time_machine.travel(IN_WINDOW, tick=False)
def test_another_users_meter_or_account_is_refused(chat, resident):
    _linked(chat, resident)
    user_b, account_b, meter_b = _neighbour(resident.org)
    assert "не принимает показаний" in texts(chat.press(f"m:{meter_b.pk}"))
    assert "Что вы хотите сделать" in texts(chat.say("15,5"))  # typed after the refused press: no meter awaited
    assert "Нечего подтверждать" in texts(chat.press("yes"))
    assert "недоступен" in texts(chat.press(f"a:{account_b.pk}"))
    assert "Что вы хотите сделать" in texts(chat.say("Протекает крыша"))  # no appeal was started for B's account
    assert not Reading.objects.exists() and not Appeal.objects.exists()
    assert ChatLink.objects.get(bot=chat.bot).state == {}
    assert account_b.number not in texts(chat.press("balance"))


def test_another_users_chat_cannot_be_unlinked(chat, resident):
    user_b, _, _ = _neighbour(resident.org)
    theirs = ChatLink.objects.create(bot=chat.bot, chat_id="777", user=user_b)
    client = Client()
    client.force_login(resident.user)
    assert client.post(f"/profile/messengers/{theirs.pk}/unlink/").status_code == 404
    assert client.post("/profile/messengers/abc/unlink/").status_code == 404
    assert ChatLink.objects.filter(pk=theirs.pk).exists()
    assert "777" not in client.get("/profile/messengers/").content.decode()


def test_the_profile_gives_a_code_and_the_bots_links_and_unlinks(chat, resident):
    client = Client()
    client.force_login(resident.user)
    page = client.get("/profile/messengers/").content.decode()
    assert f"@{chat.bot.username}" in page and "Привязанных чатов нет" in page
    page = client.post("/profile/messengers/").content.decode()
    code = LinkCode.objects.get(user=resident.user, used_at__isnull=True)
    assert code.code in page and linking.deep_link(chat.bot, code.code) in page
    assert "Чат привязан" in texts(chat.say(f"/start {code.code}"))
    chat_link = ChatLink.objects.get(user=resident.user)
    page = client.get("/profile/messengers/").content.decode()
    assert f"/profile/messengers/{chat_link.pk}/unlink/" in page
    response = client.post(f"/profile/messengers/{chat_link.pk}/unlink/", follow=True)
    assert "Чат отвязан" in response.content.decode() and not ChatLink.objects.exists()
    assert "ещё не привязан" in texts(chat.press("balance"))
