"""An organisation's integrations, with its API key: its register (accounts) and the readings and payments to
export since a cursor. Only the key's organisation's rows, ever; another's account answers 404."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as s
from rest_framework.response import Response

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import parse_id
from abonent.metering.models import Reading
from abonent.payments.models import Payment, PaymentEvent

from .base import PAGE, READ_ERRORS, ApiView, page_of, paginated
from .errors import ApiError
from .models import OrgScope
from .permissions import OrgScopeRequired

TAGS = ["Организация"]
EXPORT_LIMIT = 500
EXPORT_MAX = 1000


class RegisterAccount(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    payer_name = s.CharField()
    address = s.CharField(source="premises.address")
    premises_number = s.CharField(source="premises.number")
    total_area = s.DecimalField(max_digits=10, decimal_places=2, source="premises.total_area", allow_null=True)
    residents = s.IntegerField(source="premises.residents", allow_null=True)
    opened_on = s.DateField()
    closed_on = s.DateField(allow_null=True)
    els = s.CharField()


class ExportedReading(s.Serializer):
    cursor = s.IntegerField(source="pk")
    account = s.CharField(allow_null=True)
    meter = s.IntegerField(source="meter_id")
    serial_number = s.CharField(source="meter.serial_number")
    resource = s.CharField(source="meter.resource")
    period = s.DateField()
    value = s.DecimalField(max_digits=18, decimal_places=6)
    channel = s.CharField()
    status = s.CharField()
    is_current = s.BooleanField()
    submitted_at = s.DateTimeField()


class ExportedPayment(s.Serializer):
    cursor = s.IntegerField(source="pk")
    event = s.CharField(source="status")
    at = s.DateTimeField()
    payment = s.IntegerField(source="payment_id")
    account = s.CharField(source="payment.account.number")
    amount = s.DecimalField(max_digits=14, decimal_places=2, source="payment.amount")
    paid_on = s.DateField(source="payment.paid_on")
    channel = s.CharField(source="payment.channel")
    external_id = s.CharField(source="payment.external_id")


def _export_page(name: str, item):
    return type(name, (s.Serializer,), {"results": item(many=True), "next_cursor": s.IntegerField(),
                                        "has_more": s.BooleanField()})  # fmt: skip


ReadingsExport = _export_page("ReadingsExport", ExportedReading)
PaymentsExport = _export_page("PaymentsExport", ExportedPayment)
CURSOR = [
    OpenApiParameter("after", int, required=False, description="Курсор: next_cursor прошлого ответа (0 — с начала)"),
    OpenApiParameter("limit", int, required=False, description=f"Строк в ответе, до {EXPORT_MAX}"),
]


def _cursor(request) -> tuple[int, int]:
    after, limit = request.query_params.get("after", "0"), request.query_params.get("limit", str(EXPORT_LIMIT))
    after_id, limit_n = parse_id(after) if after != "0" else 0, parse_id(limit)
    if after_id is None or limit_n is None or not 1 <= limit_n <= EXPORT_MAX:
        raise ApiError(f"after — число не меньше 0, limit — от 1 до {EXPORT_MAX}.", "bad_cursor")
    return after_id, limit_n


def _export(request, queryset, serializer_class, extra=None):
    after, limit = _cursor(request)
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    for row in rows:
        (extra or (lambda r: None))(row)
    data = {"results": serializer_class(rows, many=True).data, "next_cursor": rows[-1].pk if rows else after}
    data["has_more"] = more
    return Response(data)


class OrgView(ApiView):
    permission_classes = [OrgScopeRequired]


class OrgAccounts(OrgView):
    org_scope = OrgScope.REGISTER

    @extend_schema(tags=TAGS, summary="Реестр лицевых счетов", parameters=PAGE, operation_id="org_accounts_list",
                   responses={200: page_of(RegisterAccount), **READ_ERRORS})  # fmt: skip
    def get(self, request):
        accounts = PersonalAccount.objects.filter(organisation_id=request.user.organisation_id)
        return paginated(request, accounts.select_related("premises__building").order_by("number", "pk"),
                         RegisterAccount, self)  # fmt: skip


class OrgAccount(OrgView):
    org_scope = OrgScope.REGISTER

    @extend_schema(tags=TAGS, summary="Лицевой счёт реестра", responses={200: RegisterAccount, **READ_ERRORS})
    def get(self, request, account_id):
        found = (
            PersonalAccount.objects.select_related("premises__building")
            .filter(pk=parse_id(account_id) or 0, organisation_id=request.user.organisation_id)
            .first()
        )
        if found is None:
            raise Http404
        return Response(RegisterAccount(found).data)


class OrgReadings(OrgView):
    org_scope = OrgScope.READINGS

    @extend_schema(tags=TAGS, summary="Показания после курсора", parameters=CURSOR,
                   responses={200: ReadingsExport, **READ_ERRORS})  # fmt: skip
    def get(self, request):
        org = request.user.organisation_id
        readings = Reading.objects.filter(
            Q(meter__premises__building__organisation_id=org) | Q(meter__building__organisation_id=org)
        ).select_related("meter")
        numbers = {}

        def account_of(reading):
            premises = reading.meter.premises_id
            if premises and premises not in numbers:
                numbers[premises] = (PersonalAccount.objects.filter(premises_id=premises, closed_on__isnull=True)
                                     .values_list("number", flat=True).first())  # fmt: skip
            reading.account = numbers.get(premises)

        return _export(request, readings, ExportedReading, account_of)


class OrgPayments(OrgView):
    org_scope = OrgScope.PAYMENTS

    @extend_schema(tags=TAGS, summary="Зачисления и отмены платежей после курсора", parameters=CURSOR,
                   responses={200: PaymentsExport, **READ_ERRORS})  # fmt: skip
    def get(self, request):
        events = PaymentEvent.objects.filter(
            payment__organisation_id=request.user.organisation_id,
            status__in=[Payment.Status.CREDITED, Payment.Status.CANCELLED],
        ).select_related("payment__account")
        return _export(request, events, ExportedPayment)
