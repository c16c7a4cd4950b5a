"""The HTTP endpoints a billing sends its files to, with the header `Authorization: Token …`: the month
(`POST /exchange/api/billing-month/`, the month `month=ММ.ГГГГ` and the file in the multipart field `file`,
optionally `publish=1`) and the register (`POST /exchange/api/billing-register/`, the file in `file`). The answer is
JSON: the counts, or the Russian reasons of the refusal (400)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from abonent.billing.errors import BillingError
from abonent.lib.inputs import parse_ru_month

from . import tokens
from .errors import ExchangeRefused
from .month_import import billing_month_import
from .register_import import billing_register_import

BAD_TOKEN = {"errors": ["Неверный или отозванный токен организации."]}


@csrf_exempt  # a machine's POST authenticated by its token, not a browser session
@require_POST
def billing_month(request):
    organisation = tokens.organisation_of(request.headers.get("Authorization"))
    if organisation is None:
        return JsonResponse(BAD_TOKEN, status=401)
    month = parse_ru_month(request.POST.get("month"))
    upload = request.FILES.get("file")
    if month is None or upload is None:
        return JsonResponse({"errors": ["Нужны месяц (month=ММ.ГГГГ) и файл (file)."]}, status=400)
    try:
        result = billing_month_import(
            organisation=organisation,
            month=month,
            data=upload.read(),
            file_name=upload.name,
            channel="http",
            publish=request.POST.get("publish") == "1",
        )
    except ExchangeRefused as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    except BillingError as exc:
        return JsonResponse({"errors": [str(exc)]}, status=400)
    return JsonResponse(
        {
            "file": result.file.pk,
            "version": result.file.version,
            "lines": result.lines,
            "accounts": result.accounts,
            "missing_accounts": result.missing,
            "published": result.published,
            "summary": result.summary(),
        }
    )


@csrf_exempt  # a machine's POST authenticated by its token, not a browser session
@require_POST
def billing_register(request):
    organisation = tokens.organisation_of(request.headers.get("Authorization"))
    if organisation is None:
        return JsonResponse(BAD_TOKEN, status=401)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"errors": ["Нужен файл реестра (file)."]}, status=400)
    try:
        result = billing_register_import(
            organisation=organisation, data=upload.read(), file_name=upload.name, channel="http"
        )
    except ExchangeRefused as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    return JsonResponse({"file": result.file.pk, **result.counts, "summary": result.summary()})
