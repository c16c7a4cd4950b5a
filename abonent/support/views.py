"""Subscriber's pages of appeals and paid-service requests; attachments are served only through here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from abonent.lib.forms import apply_error
from abonent.lib.inputs import parse_id
from abonent.users.ratelimit import client_ip
from abonent.users.selectors import user_links

from . import access, selectors, services, typos
from .forms import AppealForm, PaidRequestForm, ReplyForm


def _contact_of(user) -> str:
    return user.email or user.phone or ""


@login_required
@require_GET
def appeal_list(request):
    return render(request, "support/appeal_list.html", {"appeals": selectors.appeals_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request):
    links = list(user_links(request.user))
    if request.method == "GET":
        form = AppealForm(links=links, initial={"contact": _contact_of(request.user)})
        return render(request, "support/appeal_new.html", {"form": form, "links": links})
    try:
        appeal = services.appeal_create(
            user=request.user,
            account_id=request.POST.get("account"),
            topic=request.POST.get("topic", ""),
            text=request.POST.get("text", ""),
            contact=request.POST.get("contact", ""),
            files=request.FILES.getlist("files"),
        )
    except ValidationError as exc:
        form = AppealForm(request.POST, links=links)
        form.full_clean()
        form._errors = ErrorDict()  # the service's messages, not the form's own, say what is wrong
        apply_error(form, exc)
        return render(request, "support/appeal_new.html", {"form": form, "links": links}, status=400)
    messages.success(request, _("Обращение № %(id)s отправлено.") % {"id": appeal.pk})
    return redirect("support:appeal", appeal_id=appeal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_detail(request, appeal_id: int):
    appeal = access.appeal_for_subscriber(request.user, appeal_id)
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST)
        try:
            services.appeal_reply(
                appeal=appeal,
                user=request.user,
                text=request.POST.get("text", ""),
                files=request.FILES.getlist("files"),
            )
        except ValidationError as exc:
            form.full_clean()
            form._errors = ErrorDict()
            apply_error(form, exc)
            return render(request, "support/appeal_detail.html", {"appeal": appeal, "form": form}, status=400)
        messages.success(request, _("Сообщение отправлено."))
        return redirect("support:appeal", appeal_id=appeal.pk)
    return render(request, "support/appeal_detail.html", {"appeal": appeal, "form": form})


@login_required
@require_POST
def appeal_close(request, appeal_id: int):
    appeal = access.appeal_for_subscriber(request.user, appeal_id)
    services.appeal_close(appeal=appeal, user=request.user)
    messages.success(request, _("Обращение закрыто."))
    return redirect("support:appeal", appeal_id=appeal.pk)


@login_required
@require_GET
def attachment(request, attachment_id: int):
    found = access.attachment_for(request.user, attachment_id)
    inline = found.content_type in ("image/jpeg", "image/png", "application/pdf")
    response = FileResponse(
        found.file.open("rb"), content_type=found.content_type, as_attachment=not inline, filename=found.original_name
    )
    # Whatever it claims to be, the browser must not guess another type from an uploaded file.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paid_services(request):
    links = list(user_links(request.user))
    catalogue = selectors.catalogue_for(request.user)
    initial = {"contact": _contact_of(request.user)}
    service_id = parse_id(request.GET.get("service"))  # 5 000 digits: int() refuses them with a ValueError
    if service_id is not None:
        initial["service"] = service_id
    form = PaidRequestForm(request.POST or None, links=links, catalogue=catalogue, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                paid = services.paid_request_create(
                    user=request.user,
                    account_id=data["account"],
                    service_id=data["service"],
                    desired_date=data["desired_date"],
                    comment=data["comment"],
                    contact=data["contact"],
                )
            except ValidationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Заявка № %(id)s отправлена.") % {"id": paid.pk})
                return redirect("support:paid_request", request_id=paid.pk)
        status = 400
    context = {"catalogue": catalogue, "form": form, "requests": selectors.requests_of(request.user), "links": links}
    return render(request, "support/paid_services.html", context, status=status)


@login_required
@require_GET
def paid_request(request, request_id: int):
    return render(
        request, "support/paid_request.html", {"paid": access.request_for_subscriber(request.user, request_id)}
    )


@login_required
@require_POST
def paid_request_cancel(request, request_id: int):
    paid = access.request_for_subscriber(request.user, request_id)
    try:
        services.paid_request_cancel(request=paid, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Заявка отменена."))
    return redirect("support:paid_request", request_id=paid.pk)


@require_POST
def typo_report(request):
    """The Ctrl+Enter dialog's POST (support/static/support/typo.js): JSON, so the page stays where it was."""
    try:
        typos.typo_report_create(
            text=request.POST.get("text"),
            context=request.POST.get("context"),
            url=request.POST.get("url"),
            comment=request.POST.get("comment"),
            user=request.user,
            ip=client_ip(request),
            host=request.get_host(),
        )
    except typos.TooManyReports as exc:
        return JsonResponse({"ok": False, "errors": [str(exc)]}, status=429)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": exc.messages}, status=400)
    return JsonResponse({"ok": True, "message": _("Спасибо! Сообщение об ошибке отправлено.")}, status=201)
