"""The messengers' webhooks and the profile's "Мессенджеры" page (link a chat by a one-time code, unlink)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from abonent.lib.inputs import parse_id
from abonent.users.access import linked_accounts

from . import linking, webhook
from .models import Bot, ChatLink


@csrf_exempt
@require_POST
def hook(request, messenger, bot_id):
    bot = Bot.objects.filter(pk=parse_id(bot_id), messenger=messenger, enabled=True).first()
    if bot is None:
        raise Http404
    if not webhook.secret_ok(bot, request.META):
        return HttpResponseForbidden("Неверный секрет вебхука.")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("Тело запроса — не JSON.")
    if not isinstance(data, dict):
        return HttpResponseBadRequest("Тело запроса — не объект JSON.")
    webhook.process(bot, data)
    return HttpResponse("ok")


def _bots_for(user):
    organisations = linked_accounts(user).values("organisation_id")
    return Bot.objects.filter(organisation_id__in=organisations, enabled=True).select_related("organisation")


@login_required
@require_http_methods(["GET", "POST"])
def messengers(request):
    code = None
    if request.method == "POST":
        code = linking.issue_code(request.user)
    bots = list(_bots_for(request.user))
    chats = ChatLink.objects.filter(user=request.user).select_related("bot__organisation").order_by("linked_at")
    links = [(bot, linking.deep_link(bot, code.code)) for bot in bots] if code else []
    return render(request, "bots/messengers.html", {"bots": bots, "chats": chats, "code": code, "links": links})


@login_required
@require_POST
def chat_unlink(request, chat_id):
    chat = ChatLink.objects.filter(pk=parse_id(chat_id), user=request.user).first()
    if chat is None:
        raise Http404
    linking.unlink(chat)
    messages.success(request, "Чат отвязан от личного кабинета.")
    return redirect("bots:messengers")
