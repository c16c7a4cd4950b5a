"""The monthly cycle page: the steps with their guards, the draft review, the runs; a step started by POST."""

from django.contrib import messages
from django.shortcuts import redirect, render

from abonent.billing.cycle_guard import EarlyStepError
from abonent.billing.errors import BillingError
from abonent.billing.models import BillingPeriod
from abonent.lib.inputs import parse_id

from . import cycle
from .web import office_page


@office_page("cycle")
def cycle_page(request):
    return render(
        request, "office/cycle.html", cycle.page(request.office.organisation, request.user, request.office.role)
    )


@office_page("cycle_run", methods=("POST",))
def cycle_run(request, period_id):
    organisation = request.office.organisation
    period = BillingPeriod.objects.filter(organisation=organisation, pk=parse_id(period_id)).first()
    if period is None:
        return render(request, "office/refused.html", {"reason": "Период не найден."}, status=404)
    step = request.POST.get("step")
    if step not in cycle.billing_cycle.STEPS:
        messages.error(request, "Неизвестный шаг.")
        return redirect("office:cycle")
    try:
        cycle.run_step(organisation=organisation, operator=request.user, period=period, step=step,
                              reason=request.POST.get("reason", "").strip())  # fmt: skip
    except EarlyStepError as exc:
        messages.error(request, str(exc))
    except BillingError as exc:
        messages.error(request, f"Шаг не выполнен: {exc}")
    else:
        messages.success(request, f"{period}: «{cycle.cycle_guard.STEP_LABELS[step]}» поставлено в очередь.")
    return redirect("office:cycle")
