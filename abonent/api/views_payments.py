"""A resident's payments: the card payments made from the cabinet (as "Мои платежи"), paying accounts (the pay
page's checkout, payments.services.payment_checkout: the same cap, the same provider) and an order's state."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from abonent.lib.inputs import parse_id
from abonent.payments import access as payments_access
from abonent.payments import selectors, services
from abonent.payments.providers import provider_name

from . import idempotency, serializers
from .base import ERRORS, FROM, PAGE, READ_ERRORS, TO, ApiView, date_range, page_of, paginated
from .errors import ApiError

TAGS = ["Платежи"]
ACCOUNT = OpenApiParameter("account", int, required=False, description="Только платежи этого лицевого счёта")
ORDER_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


class Payments(ApiView):
    @extend_schema(
        tags=TAGS, operation_id="payments_list", summary="Мои платежи картой", parameters=[FROM, TO, ACCOUNT, *PAGE],
        responses={200: page_of(serializers.Payment), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request):
        payments = date_range(selectors.card_payments(request.user), request, "paid_on")
        if "account" in request.query_params:
            payments = payments.filter(account_id=parse_id(request.query_params["account"]) or 0)
        return paginated(request, payments, serializers.Payment, self)

    @extend_schema(
        tags=TAGS, summary="Оплатить картой или по СБП",
        description="Создаёт платёж (по одному на счёт, один заказ). Картой (method=card) — адрес страницы оплаты "
        "эквайера; по СБП (method=sbp) — sbp_payload, текст QR-кода для приложения банка (на телефоне — ссылка, "
        "которая его открывает), и адрес нашей страницы с этим QR-кодом. Платёж зачисляется по уведомлению "
        "платёжного сервиса; состояние — GET /api/v1/payments/orders/<order>/. Заголовок Idempotency-Key: повтор "
        "с тем же ключом вернёт тот же заказ, второй платёж не создаётся.",
        request=serializers.PayIn, responses={201: serializers.Checkout, **ERRORS},
    )  # fmt: skip
    def post(self, request):
        return idempotency.once(request, lambda: self._checkout(request))

    def _checkout(self, request):
        body = serializers.PayIn(data=request.data)
        body.is_valid(raise_exception=True)
        links = {link.account_id: link for link in selectors.payable_links(request.user)}
        items = []
        for index, item in enumerate(body.validated_data["items"]):
            link = links.get(item["account"])
            if link is None:
                raise ApiError("Лицевой счёт не найден среди подключённых к вашему кабинету.", "account_not_found",
                               fields={"items": {str(index): {"account": ["Нет такого счёта для оплаты."]}}})  # fmt: skip
            try:
                items.append((link.account, services.parse_amount(item["amount"])))
            except services.PaymentError as exc:
                raise ApiError(f"Л/С № {link.account.number}: {exc}", "bad_amount") from exc
        if len({account.pk for account, _ in items}) != len(items):
            raise ApiError("Каждый лицевой счёт — один раз в запросе.", "duplicate_account")
        method = body.validated_data["method"]
        result_url = request.build_absolute_uri(reverse("payments:result", args=[ORDER_PLACEHOLDER]))
        try:
            order, url = services.payment_checkout(
                user=request.user,
                items=items,
                return_url=result_url.replace(ORDER_PLACEHOLDER, "__order__"),
                notify_url=request.build_absolute_uri(reverse("payments:notify", args=[provider_name()])),
                method=method,
            )
        except services.PaymentError as exc:
            raise ApiError(str(exc), "payment_refused") from exc
        payments = payments_access.order_payments(request.user, order)
        data = serializers.Checkout(
            {"order": order, "method": method, "confirmation_url": request.build_absolute_uri(url),
             "sbp_payload": payments[0].sbp_payload or None, "payments": payments}
        ).data  # fmt: skip
        return Response(data, status=201)


class OrderDetail(ApiView):
    @extend_schema(tags=TAGS, summary="Состояние заказа", responses={200: serializers.Order, **READ_ERRORS})
    def get(self, request, order):
        if not payments_access.order_payments(request.user, order):
            raise Http404
        services.order_refresh(order=order)  # as the result page: ask the provider if no notification came yet
        payments = payments_access.order_payments(request.user, order)
        processing = any(p.status in services.OPEN for p in payments)
        return Response(serializers.Order({"order": order, "processing": processing, "payments": payments}).data)
