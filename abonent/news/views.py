"""Public news pages: per organisation (?org=<code>) or all together; future items are not there yet."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from abonent.orgs.selectors import chosen_organisation, organisation_list  # as the other public pages choose

from . import selectors


@require_safe
def news_list(request):
    organisations, chosen = chosen_organisation(request, None)
    items = selectors.published([chosen] if chosen else organisations)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    context = {
        "organisations": organisations,
        "chosen": chosen,
        "page": page,
        "page_url": reverse("news:list"),
    }
    return render(request, "news/list.html", context)


@require_safe
def news_detail(request, news_id: int):
    item = get_object_or_404(selectors.published(organisation_list()), pk=news_id)
    return render(request, "news/detail.html", {"item": item})
