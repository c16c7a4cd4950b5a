"""The notification settings in the profile and the unsubscribe link (no login needed: the token is the key)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import NotificationsForm
from .models import Kind


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    initial = {"kinds": sorted(selectors.wanted_kinds(user)), "chat_kinds": sorted(selectors.wanted_chat_kinds(user))}
    # The bots app's linked chats (ChatLink, related_name bot_chats): read through the relation, since the bots
    # app sits above this one in the layers.
    with_chat = user.bot_chats.exists()
    form = NotificationsForm(request.POST or None, initial=initial, with_chat=with_chat)
    if request.method == "POST" and form.is_valid():
        services.notifications_update(user=user, wanted=set(form.cleaned_data["kinds"]))
        if with_chat:
            services.chat_notifications_update(user=user, wanted=set(form.cleaned_data["chat_kinds"]))
        messages.success(request, _("Настройки уведомлений сохранены."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# Mail clients' one-click unsubscribe (RFC 8058) POSTs without our CSRF cookie; the signed token is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    found = services.unsubscribe_read(token)
    user = None
    if found:
        user = get_user_model().objects.filter(pk=found[0]).first()
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    kind = Kind(found[1])
    # A GET only asks: link scanners in mail systems open links, and must not unsubscribe anyone.
    done = request.method == "POST"
    if done:
        services.notification_set(user=user, kind=kind, enabled=False)
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": done, "token": token})
