"""Subscribers' readings pages. Thin: the selectors read, the services check and write."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors
from .forms import ReadingsForm
from .models import Reading, ReminderPreference
from .services import ReadingError, reading_submit


def in_org_time(view):
    """Times on these pages are the organisation's local times, whatever the server's zone."""

    @functools.wraps(view)
    def wrapped(request, account_id, *args, **kwargs):
        account = selectors.account_for_user(request.user, account_id)
        with timezone.override(account.organisation.tz):
            return view(request, account, *args, **kwargs)

    return wrapped


@login_required
@require_http_methods(["GET", "POST"])
@in_org_time
def readings(request: HttpRequest, account) -> HttpResponse:
    saving = request.method == "POST" and request.POST.get("confirm") == "1" and request.POST.get("action") == "submit"
    page = selectors.readings_page(account, for_saving=saving)
    if request.method == "GET" or not page.can_submit:
        if request.method == "POST":
            messages.error(request, _("Приём показаний закрыт."))
            page = selectors.readings_page(account)
        return render(request, "metering/readings.html", {"page": page, "form": ReadingsForm(page.rows)})

    form = ReadingsForm(page.rows, request.POST)
    action = request.POST.get("action", "calculate")
    now = timezone.now()
    if action == "submit" and request.POST.get("confirm") == "1" and form.filled:
        # The confirmed save: reading_submit runs every check again under the meter's lock, so they are not
        # run twice here; only a refusal (a value changed in between, the window just closed) re-checks all
        # meters to show every message at once.
        try:
            with transaction.atomic():  # all meters or none
                for entry in form.filled:
                    reading_submit(
                        meter=entry.meter,
                        value_text=entry.text,
                        user=request.user,
                        channel=Reading.Channel.PORTAL,
                        when=now,
                        confirm_rollover=entry.confirm_rollover,
                        confirm_high=entry.confirm_high,
                    )
        except ReadingError as exc:
            page = selectors.readings_page(account)  # the whole page this time: it is shown again
            form = ReadingsForm(page.rows, request.POST)
            if form.check(organisation=page.organisation, when=now):
                form.non_field_error = exc.text
            return render(request, "metering/readings.html", {"page": page, "form": form}, status=400)
    else:
        ok = form.check(organisation=page.organisation, when=now)
        if not ok or action == "calculate":
            return render(
                request,
                "metering/readings.html",
                {"page": page, "form": form, "calculated": ok},
                status=200 if ok else 400,
            )
        # "Передать показания" asks "Да / Нет" first (seed 002); the values travel in hidden fields.
        return render(request, "metering/readings_confirm.html", {"page": page, "form": form})
    messages.success(
        request,
        _("Показания переданы: %(count)s. Для расчёта будет использовано последнее переданное показание.")
        % {"count": len(form.filled)},
    )
    return redirect("metering:readings", account_id=account.pk)


@login_required
@in_org_time
def meter_history(request: HttpRequest, account, meter_id: int) -> HttpResponse:
    meter = selectors.meter_of_account(account, meter_id)
    months, sent = selectors.meter_history(meter, account.organisation.today())
    return render(
        request,
        "metering/history.html",
        {
            "account": account,
            "meter": meter,
            "months": list(reversed(months)),
            "sent": sent,
            "chart": selectors.chart_bars(months),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """Whether the user gets the e-mails "приём показаний открыт" and "осталось два дня"."""
    preference = ReminderPreference.objects.filter(user=request.user).first()
    enabled = preference.enabled if preference else True
    if request.method == "POST":
        enabled = request.POST.get("enabled") == "1"
        ReminderPreference.objects.update_or_create(user=request.user, defaults={"enabled": enabled})
        messages.success(
            request,
            _("Напоминания о передаче показаний включены.") if enabled else _("Напоминания о показаниях отключены."),
        )
        return redirect("metering:reminder_settings")
    return render(request, "metering/reminder_settings.html", {"enabled": enabled})
