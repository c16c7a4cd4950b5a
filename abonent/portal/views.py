"""Public pages: start, tariffs, contacts, requisites, about and help. Open to everyone, no JavaScript needed."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from abonent.orgs.selectors import chosen_organisation
from abonent.users.views import SAVED_LOGIN_COOKIE

from . import selectors


def _org_page(request: HttpRequest, template: str, code: str | None, page_name: str, **extra) -> HttpResponse:
    organisations, chosen = chosen_organisation(request, code)
    shown = [chosen] if chosen else organisations
    context = {
        "organisations": organisations,
        "chosen": chosen,
        "shown": shown,
        "page_name": page_name,
        "page_url": reverse(f"portal:{page_name}"),
    }
    for key, build in extra.items():
        context[key] = build(shown)
    return render(request, template, context)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    # The login form is /login/'s: the login saved by its "Сохранить логин" is filled in here too.
    saved_login = request.COOKIES.get(SAVED_LOGIN_COOKIE, "")[:254]
    return render(
        request,
        "portal/start.html",
        {"notices": selectors.organisations_with_notice(), "saved_login": saved_login},
    )


@require_safe
def tariffs(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _org_page(request, "portal/tariffs.html", code, "tariffs", boards=selectors.tariff_boards)


@require_safe
def contacts(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _org_page(request, "portal/contacts.html", code, "contacts")


@require_safe
def requisites(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _org_page(request, "portal/requisites.html", code, "requisites")


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/about.html")


@require_safe
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html")
