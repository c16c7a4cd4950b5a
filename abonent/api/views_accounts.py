"""A resident's accounts: balance and debt, charges of a month with their lines, movement of funds, receipts.
Every account id goes through users.access (another's answers 404); the figures are billing.statements', the
ones the cabinet's pages show."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from abonent.billing import statements
from abonent.lib import page_cache
from abonent.receipts import access as receipts_access
from abonent.receipts import pdf
from abonent.receipts import selectors as receipts_selectors
from abonent.users.access import account_for_user, linked_accounts

from . import serializers
from .base import FROM_MONTH, READ_ERRORS, TO_MONTH, ApiView, month_param
from .errors import ApiError

TAGS = ["Лицевые счета"]


def account_rows(accounts) -> list[dict]:
    """The accounts with what the card shows on top: the masked payer, the debt now, the last month's balance."""
    accounts = list(accounts)
    figures = statements.debts_and_balances_cached(accounts)
    return [
        {
            "id": a.pk,
            "number": a.number,
            "premises": a.premises,
            "organisation": a.organisation,
            "payer": statements.mask_payer(a.payer_name),
            "closed_on": a.closed_on,
            "debt": figures[a.pk][0],
            "last_balance": figures[a.pk][1],
        }
        for a in accounts
    ]


class AccountList(ApiView):
    @extend_schema(
        tags=TAGS, summary="Мои лицевые счета", responses={200: serializers.Account(many=True), **READ_ERRORS}
    )
    def get(self, request):
        accounts = linked_accounts(request.user).select_related("organisation", "premises__building").order_by("number")
        return Response(serializers.Account(account_rows(accounts), many=True).data)


class AccountDetail(ApiView):
    @extend_schema(
        tags=TAGS, summary="Лицевой счёт: долг и сальдо", responses={200: serializers.Account, **READ_ERRORS}
    )
    def get(self, request, account_id):
        return _account_answer(request, account_id)


@page_cache.per_user
def _account_answer(request, account_id):
    """The API's most frequent request (an app's home screen): the JSON kept whole per user, as the cabinet's card
    is (lib.page_cache: renewed when the account's figures, the user or the user's links change; another user never
    reads it), so a warm answer costs no query and no serializer. Rendered here, not by DRF, to be stored."""
    account = account_for_user(request.user, account_id)
    page_cache.depends_on(request, [account])
    body = JSONRenderer().render(serializers.Account(account_rows([account])[0]).data)
    return HttpResponse(body, content_type="application/json")


MONTH = OpenApiParameter("month", str, required=False, description="Месяц ГГГГ-ММ; без него — последний опубликованный")


class AccountCharges(ApiView):
    @extend_schema(
        tags=TAGS, summary="Начисления за месяц по строкам", parameters=[MONTH],
        responses={200: serializers.Charges, **READ_ERRORS},
    )  # fmt: skip
    def get(self, request, account_id):
        account = account_for_user(request.user, account_id)
        month = month_param(request, "month")
        period = statements.published_period(account, month)
        if period is None:
            raise ApiError("За этот месяц начисления ещё не опубликованы.", "not_published", status_code=404)
        return Response(serializers.Charges(statements.month_of(account, period)).data)


class AccountMovement(ApiView):
    @extend_schema(
        tags=TAGS, summary="Движение средств по месяцам", parameters=[FROM_MONTH, TO_MONTH],
        responses={200: serializers.Movement, **READ_ERRORS},
    )  # fmt: skip
    def get(self, request, account_id):
        account = account_for_user(request.user, account_id)
        first_default, last_default = statements.default_movement_range(account)
        first = month_param(request, "from") or first_default
        last = month_param(request, "to") or last_default
        try:
            result = statements.movement(account, first, last)
        except statements.StatementError as exc:
            raise ApiError(str(exc), "bad_range") from exc
        return Response(serializers.Movement(result).data)


class AccountReceipts(ApiView):
    @extend_schema(
        tags=["Квитанции"], summary="Квитанции по опубликованным месяцам",
        responses={200: serializers.ReceiptItem(many=True), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request, account_id):
        account = account_for_user(request.user, account_id)
        rows = [
            {
                "period": b.period,
                "closing": b.closing,
                "pdf": reverse("api:receipt_pdf", args=[account.pk, f"{b.period.month:%Y-%m}"]),
            }
            for b in receipts_selectors.receipt_periods(account=account)
        ]
        return Response(serializers.ReceiptItem(rows, many=True).data)


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)  # only an error reaches here: the PDF itself is a plain HttpResponse


class ReceiptPdf(ApiView):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        tags=["Квитанции"], summary="Квитанция (ЕПД) в PDF",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request, account_id, month):
        receipt = receipts_access.receipt_for_user(request.user, account_id, month)
        response = HttpResponse(pdf.render([receipt]), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{receipt.account.number}-{receipt.slug}.pdf"'
        return response
