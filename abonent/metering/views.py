"""Subscribers' readings pages. Thin: the selectors read, submit checks and writes."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from abonent.lib.inputs import parse_id
from abonent.users.access import account_for_user

from . import access, selectors
from .errors import ReadingError
from .forms import ReadingsForm
from .models import Reading, ReminderPreference
from .submit import Submission, readings_submit


def in_org_time(view):
    """Times on these pages are the organisation's local times, whatever the server's zone."""

    @functools.wraps(view)
    def wrapped(request, account_id, *args, **kwargs):
        account = account_for_user(request.user, account_id)
        with timezone.override(account.organisation.tz):
            return view(request, account, *args, **kwargs)

    return wrapped


@login_required
@require_http_methods(["GET", "POST"])
def readings(request: HttpRequest, account_id: int) -> HttpResponse:
    confirmed = request.POST.get("confirm") == "1" and request.POST.get("action") == "submit"
    if request.method == "POST" and confirmed and _save_confirmed(request, account_id):
        return redirect("metering:readings", account_id=account_id)
    return _readings_page(request, account_id)


def _save_confirmed(request: HttpRequest, account_id: int) -> bool:
    """The confirmed "Передать показания": every check runs again under the meters' locks (readings_submit), so
    the page is not read first. True when saved; False sends the whole page back with every message."""
    organisation, premises_id = access.organisation_and_premises(request.user, account_id)
    submissions = _submissions(request.POST)
    if not submissions:
        return False
    try:
        readings_submit(
            organisation=organisation,
            submissions=submissions,
            user=request.user,
            channel=Reading.Channel.PORTAL,
            premises_id=premises_id,
        )
    except ReadingError:
        return False
    messages.success(
        request,
        _("Показания переданы: %(count)s. Для расчёта будет использовано последнее переданное показание.")
        % {"count": len(submissions)},
    )
    return True


def _submissions(data) -> list[Submission]:
    """The form's filled-in values: value_<meter id>, with rollover_<id> and high_<id> ticked or not."""
    found = []
    for key, text in data.items():
        meter_id = key.removeprefix("value_")
        # parse_id, not isdigit(): "value_５８" is not meter 58, and 20 digits are no meter at all.
        if meter_id == key or parse_id(meter_id) is None or not text.strip():
            continue
        found.append(
            Submission(
                meter_id=parse_id(meter_id),
                text=text.strip()[:40],
                confirm_rollover=data.get(f"rollover_{meter_id}") == "1",
                confirm_high=data.get(f"high_{meter_id}") == "1",
            )
        )
    return found


@in_org_time
def _readings_page(request: HttpRequest, account) -> HttpResponse:
    """The page, "Рассчитать расход", the confirmation, and a refused save shown again with every message."""
    page = selectors.readings_page(account)
    if request.method == "GET" or not page.can_submit:
        if request.method == "POST":
            messages.error(request, _("Приём показаний закрыт."))
        return render(request, "metering/readings.html", {"page": page, "form": ReadingsForm(page.rows)})

    form = ReadingsForm(page.rows, request.POST)
    now = timezone.now()
    ok = form.check(organisation=page.organisation, when=now)
    action = request.POST.get("action", "calculate")
    if not ok or action == "calculate":
        return render(
            request,
            "metering/readings.html",
            {"page": page, "form": form, "calculated": ok},
            status=200 if ok else 400,
        )
    if request.POST.get("confirm") == "1":
        # Every meter passed the checks here, yet the save refused: the window closed or a value changed in
        # between. Say so rather than ask again.
        form.non_field_error = _("Показания не сохранены: данные изменились. Проверьте их и передайте ещё раз.")
        return render(request, "metering/readings.html", {"page": page, "form": form}, status=400)
    # "Передать показания" asks "Да / Нет" first (seed 002); the values travel in hidden fields.
    return render(request, "metering/readings_confirm.html", {"page": page, "form": form})


@login_required
@in_org_time
def meter_history(request: HttpRequest, account, meter_id: int) -> HttpResponse:
    meter = access.meter_of_account(account, meter_id)
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
