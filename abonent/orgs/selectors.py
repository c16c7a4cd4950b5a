"""Which organisations the public pages (tariffs, contacts, news) list, and the one a page is about."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .models import Organisation


def organisation_list() -> list[Organisation]:
    """Every organisation the portal serves, as the selector on the public pages lists them."""
    return list(Organisation.objects.order_by("short_name", "pk"))


def chosen_organisation(request: HttpRequest, code: str | None) -> tuple[list[Organisation], Organisation | None]:
    """All organisations and the one the page is about: from the URL (/o/<code>/...) or ?org=<code>.

    None means "show them all". An unknown code is a 404, not a silent fall-back to every organisation.
    """
    organisations = organisation_list()
    code = code if code is not None else request.GET.get("org", "").strip()
    if not code:
        return organisations, None
    chosen = next((org for org in organisations if org.code == code), None)
    if chosen is None:
        raise Http404(_("Организация не найдена"))
    return organisations, chosen
