"""The office's pages: the month at a glance, an account's card with its log, the log per operator.
Thin: the door (web.office_page), access for objects, a selector, a template."""

from django.shortcuts import render

from abonent.billing.statements import debt_of
from abonent.payments.services import DESK

from . import access, audit, dashboard, jobs
from .web import office_page


@office_page("dashboard")
def home(request):
    organisation = request.office.organisation
    context = {
        **dashboard.dashboard(organisation),
        **jobs.running_and_failed(request.user, organisation, request.office.role),
    }
    return render(request, "office/dashboard.html", context)


@office_page("account")
def account(request, account_id):
    organisation = request.office.organisation
    found = access.account_for(organisation, account_id)
    context = {"account": found, "debt": debt_of(found), "notices": found.debt_notices.all()[:20],
               "payments": found.payments.order_by("-created_at", "-id")[:20], "desk_channels": DESK}  # fmt: skip
    if request.office.may("audit"):
        context["events"] = audit.of_account(organisation, found)
    return render(request, "office/account.html", context)


@office_page("audit")
def audit_list(request):
    organisation = request.office.organisation
    return render(request, "office/audit.html", {"events": audit.recent(organisation), "operator": None})


@office_page("audit")
def audit_operator(request, user_id):
    organisation = request.office.organisation
    operator = access.operator_for(organisation, user_id)
    return render(
        request, "office/audit.html", {"events": audit.of_operator(organisation, operator), "operator": operator}
    )
