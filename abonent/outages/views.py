"""The public list of outages by house and date, and the subscriber's own in the cabinet."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from abonent.orgs.selectors import chosen_organisation

from . import selectors
from .forms import DayForm


@require_safe
def outage_list(request):
    organisations, chosen = chosen_organisation(request, None)
    form = DayForm(request.GET or None)
    day = form.cleaned_data["day"] if form.is_valid() else None
    rows = selectors.public_rows([chosen] if chosen else organisations, day) if not form.errors else []
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organisations": organisations,
        "chosen": chosen,
        "form": form,
        "day": day,
        "page": page,
        "page_url": reverse("outages:list"),
        "query": query.urlencode(),
    }
    return render(request, "outages/list.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def my_outages(request):
    current = selectors.user_current(request.user)
    recent = selectors.user_recent(request.user)
    addresses = selectors.user_addresses(request.user, current + recent)
    context = {
        "current": [(o, addresses.get(o.pk, [])) for o in current],
        "recent": [(o, addresses.get(o.pk, [])) for o in recent],
    }
    return render(request, "outages/mine.html", context)
