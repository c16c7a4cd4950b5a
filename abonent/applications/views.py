"""Public application forms, the status pages by token, the cabinet's list, and the scans for operators."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from abonent.lib.forms import apply_error
from abonent.users import ratelimit

from . import selectors, services
from .forms import CabinetApplicationForm, ConnectionApplicationForm


def _file_form(request, form_class, create, template: str, status_url: str):
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("captcha", "files")}
        try:
            application = create(ip=ratelimit.client_ip(request), files=form.cleaned_data["files"], **data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            return redirect(status_url, token=application.token)
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def cabinet_apply(request):
    return _file_form(
        request,
        CabinetApplicationForm,
        services.cabinet_application_create,
        "applications/cabinet_apply.html",
        "applications:cabinet_status",
    )


@require_safe
def cabinet_status(request, token: str):
    return render(request, "applications/cabinet_status.html", {"application": selectors.cabinet_by_token(token)})


@require_http_methods(["GET", "POST"])
def connection_apply(request):
    def create(**fields):
        return services.connection_application_create(user=request.user, **fields)

    return _file_form(
        request,
        ConnectionApplicationForm,
        create,
        "applications/connection_apply.html",
        "applications:connection_status",
    )


@require_safe
def connection_status(request, token: str):
    application = selectors.connection_by_token(token)
    context = {"application": application, "changes": list(application.changes.all())}
    return render(request, "applications/connection_status.html", context)


@login_required
@require_safe
def my_connections(request):
    return render(request, "applications/mine.html", {"applications": selectors.connections_of(request.user)})


@login_required
@require_safe
def document(request, document_id: int):
    found = selectors.document_for(request.user, document_id)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type, filename=found.original_name)
    # Whatever it claims to be, the browser must not guess another type from an uploaded file.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
