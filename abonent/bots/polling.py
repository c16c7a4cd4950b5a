"""The two ways a messenger hands updates to the bot: a webhook (the messenger posts each update to our URL with
the secret, set once by `bots_webhook`), or long polling for development (`run_bot --polling`: no public URL
needed), each update then handled by the same webhook.process."""

from __future__ import annotations

from django.urls import reverse

from abonent.lib.site import absolute

from . import webhook
from .models import Bot

WAIT_SECONDS = 25  # how long the messenger holds a poll open when nothing happens


def webhook_url(bot: Bot) -> str:
    return absolute(reverse("bots:hook", args=[bot.messenger, bot.pk]))


def set_webhook(bot: Bot) -> str:
    """Tell the messenger our URL and the secret it must send back; the URL set is returned."""
    url = webhook_url(bot)
    webhook.ADAPTERS[bot.messenger].set_webhook(bot, url)
    return url


def poll(bot: Bot, *, until_empty: bool = False, wait: int = WAIT_SECONDS) -> int:
    """Fetch updates and handle each; forever, or until a fetch brings nothing (`until_empty`). The count handled."""
    adapter, offset, handled = webhook.ADAPTERS[bot.messenger], None, 0
    while True:
        found, offset = adapter.updates(bot, offset, wait)
        for data in found:
            webhook.process(bot, data)
        handled += len(found)
        if until_empty and not found:
            return handled
