"""The dispatcher's readings: the work queue (keep / reject with a reason) and entry from a house's paper form."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render

from abonent.housing.models import Building
from abonent.metering.errors import ReadingError
from abonent.metering.models import Meter, Reading
from abonent.metering.submit import reading_submit

from . import access, queue, services
from .forms import RejectForm
from .web import office_page


@office_page("queue")
def work_queue(request):
    organisation = request.office.organisation
    kind = request.GET.get("kind") if request.GET.get("kind") in queue.REASONS else None
    today = organisation.today()
    readings = [(r, queue.reasons_of(r, today)) for r in queue.attention(organisation, kind)[:200]]
    context = {"readings": readings, "kind": kind, "reasons": queue.REASONS, "silent": queue.silent_meters(organisation),
               "silent_months": queue.SILENT_MONTHS}  # fmt: skip
    return render(request, "office/queue.html", context)


@office_page("queue_decide", methods=("POST",))
def reading_decide(request, reading_id):
    organisation = request.office.organisation
    reading = access.reading_for(organisation, reading_id)
    if request.POST.get("decision") == "keep":
        services.reading_keep(reading=reading, operator=request.user, organisation=organisation)
        messages.success(request, f"Показание прибора {reading.meter.serial_number} оставлено.")
        return redirect("office:queue")
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reading_refuse(
                reading=reading, operator=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
            )
        except ReadingError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, f"Показание прибора {reading.meter.serial_number} отклонено.")
    else:
        messages.error(request, "Укажите причину отклонения (до 300 символов).")
    return redirect("office:queue")


def _house_meters(building):
    return (
        Meter.objects.filter(Q(premises__building=building) | Q(building=building), status=Meter.Status.ACTIVE)
        .select_related("premises")
        .order_by("premises__number", "serial_number")
    )


@office_page("entry", methods=("GET", "HEAD", "POST"))
def house_entry(request, building_id):
    """One line per meter of the house, in the order of the paper form; Tab moves on, Enter saves the filled
    lines. Each value passes metering's own checks (reading_submit, channel "operator"); a line refused keeps
    its value and its reason, a line that needs a confirmation shows the box to tick."""
    organisation = request.office.organisation
    building = access.building_for(organisation, building_id)
    meters = list(_house_meters(building))
    errors, saved = {}, 0
    if request.method == "POST":
        for meter in meters:
            text = request.POST.get(f"m{meter.pk}", "").strip()
            if not text:
                continue
            try:
                reading = reading_submit(meter=meter, value_text=text, user=request.user,
                                         channel=Reading.Channel.OPERATOR,
                                         confirm_rollover=bool(request.POST.get(f"r{meter.pk}")),
                                         confirm_high=bool(request.POST.get(f"h{meter.pk}")))  # fmt: skip
            except ReadingError as exc:
                errors[meter.pk] = (exc.text, exc.code)
            else:
                services.reading_entered(reading=reading, operator=request.user, organisation=organisation)
                saved += 1
        if saved:
            messages.success(request, f"Сохранено показаний: {saved}.")
        if not errors:
            return redirect("office:entry", building_id=building.pk)
    lines = [(m, request.POST.get(f"m{m.pk}", "") if errors else "", errors.get(m.pk)) for m in meters]
    context = {"building": building, "lines": lines, "has_errors": bool(errors)}
    return render(request, "office/entry.html", context, status=400 if errors else 200)


@office_page("entry")
def entry_houses(request):
    houses = Building.objects.filter(organisation=request.office.organisation).order_by("address")
    return render(request, "office/entry_houses.html", {"houses": houses})
