"""What the API answers and accepts. Output serializers read the same objects the pages render (dataclasses of
billing.statements, metering.selectors, models), so the JSON says what the page says."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers as s


class Quantity(s.DecimalField):
    """A volume, a tariff or an amount as a string without trailing zeros ("1092.7", "20.1234")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 24)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        text = f"{Decimal(value).normalize():f}"
        return text


def money(**kwargs):
    return s.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class Error(s.Serializer):
    code = s.CharField(help_text="Машинный код ошибки, не меняется между версиями.")
    message = s.CharField(help_text="Сообщение по-русски для человека.")
    fields = s.JSONField(required=False, help_text="Ошибки по полям запроса.")


class ErrorBody(s.Serializer):
    error = Error()


class Organisation(s.Serializer):
    id = s.IntegerField()
    code = s.CharField()
    short_name = s.CharField()


class Me(s.Serializer):
    id = s.IntegerField()
    username = s.CharField(source="get_username")
    email = s.CharField()
    phone = s.CharField()
    token_scope = s.CharField()


class Balance(s.Serializer):
    month = s.DateField(source="period.month")
    opening = money()
    charged = money()
    recalculated = money()
    penalties = money()
    paid = money()
    closing = money()


class Account(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    address = s.CharField(source="premises.address")
    organisation = Organisation()
    payer = s.CharField()
    closed_on = s.DateField(allow_null=True)
    debt = money(help_text="Долг сейчас; отрицательный — переплата (аванс).")
    last_balance = Balance(allow_null=True, help_text="Сальдо последнего опубликованного месяца.")


class ChargeLine(s.Serializer):
    service = s.CharField()
    unit = s.CharField()
    price = Quantity(allow_null=True)
    volume = Quantity(allow_null=True)
    charged = money()
    recalculated = money()
    total = money()
    note = s.CharField()


class Charges(s.Serializer):
    month = s.DateField(source="period.month")
    lines = ChargeLine(many=True, source="rows")
    penalty = money()
    charged = money()
    recalculated = money()
    total = money()
    balance = Balance(allow_null=True)


class LedgerPayment(s.Serializer):
    date = s.DateField(source="occurred_on")
    amount = money()


class Movement(s.Serializer):
    first = s.DateField()
    last = s.DateField()
    opening = money()
    charged = money()
    recalculated = money()
    penalties = money()
    paid = money()
    closing = money()
    months = Balance(many=True)
    payments = LedgerPayment(many=True)


class AccountRef(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()


class Payment(s.Serializer):
    id = s.IntegerField()
    order = s.UUIDField()
    account = AccountRef()
    amount = money()
    status = s.CharField()
    status_display = s.CharField(source="get_status_display")
    paid_on = s.DateField()
    created_at = s.DateTimeField()
    credited_at = s.DateTimeField(allow_null=True)
    decline_reason = s.CharField()


class ReceiptItem(s.Serializer):
    month = s.DateField(source="period.month")
    closing = money()
    pdf = s.CharField(help_text="Адрес PDF квитанции.")


class ReadingBrief(s.Serializer):
    id = s.IntegerField()
    period = s.DateField()
    value = Quantity()
    status = s.CharField()
    channel = s.CharField()
    submitted_at = s.DateTimeField()
    reject_reason = s.CharField()


class MeterRow(s.Serializer):
    id = s.IntegerField(source="meter.pk")
    resource = s.CharField(source="meter.resource")
    resource_display = s.CharField(source="meter.get_resource_display")
    serial_number = s.CharField(source="meter.serial_number")
    status = s.CharField(source="meter.status")
    verification_due = s.DateField(source="meter.verification_due")
    service = s.CharField(source="service_name")
    price = Quantity(allow_null=True)
    takes_input = s.BooleanField()
    refusal = s.CharField(allow_null=True)
    warning = s.CharField(allow_null=True)
    last_accepted = ReadingBrief(allow_null=True)
    current = ReadingBrief(allow_null=True)


class Window(s.Serializer):
    first = s.DateField()
    last = s.DateField()


class Meters(s.Serializer):
    period = s.DateField()
    today = s.DateField()
    window = Window()
    window_open = s.BooleanField()
    can_submit = s.BooleanField()
    next_window = Window()
    meters = MeterRow(many=True, source="rows")


class HistoryMonth(s.Serializer):
    period = s.DateField()
    value = Quantity(source="reading.value", allow_null=True)
    consumption = Quantity(allow_null=True)
    estimated = s.BooleanField()


class MeterHistory(s.Serializer):
    months = HistoryMonth(many=True)
    sent = ReadingBrief(many=True)


class ReadingIn(s.Serializer):
    meter = s.IntegerField(min_value=1, max_value=2**63 - 1)
    value = s.CharField(max_length=40, help_text="Показание, например 123,45.")
    confirm_rollover = s.BooleanField(default=False, help_text="Счётчик перешёл через ноль.")
    confirm_high = s.BooleanField(default=False, help_text="Большой расход подтверждён.")


class ReadingsIn(s.Serializer):
    readings = ReadingIn(many=True, allow_empty=False, max_length=50)


class ReadingsSubmitIn(ReadingsIn):
    confirm = s.BooleanField(
        default=False, help_text="Подтверждение «Да, передать» (как на странице): без него показания не сохраняются."
    )


class Preview(s.Serializer):
    meter = s.IntegerField()
    value = Quantity()
    consumption = Quantity()
    cost = money(allow_null=True)
    rollover = s.BooleanField()
    flagged = s.BooleanField()


class PreviewOut(s.Serializer):
    period = s.DateField()
    readings = Preview(many=True)
    total_cost = money(allow_null=True)


class Saved(s.Serializer):
    id = s.IntegerField()
    meter = s.IntegerField(source="meter_id")
    period = s.DateField()
    value = Quantity()
    status = s.CharField()
    submitted_at = s.DateTimeField()


class SavedOut(s.Serializer):
    readings = Saved(many=True)


class PayItem(s.Serializer):
    account = s.IntegerField(min_value=1, max_value=2**63 - 1)
    amount = s.CharField(max_length=20, help_text="Сумма в рублях, например 1234,56.")


class PayIn(s.Serializer):
    items = PayItem(many=True, allow_empty=False, max_length=50)
    method = s.ChoiceField(
        choices=[("card", "Картой"), ("sbp", "По СБП")], default="card",
        help_text="card — страница оплаты картой у эквайера; sbp — QR-код СБП для приложения банка.",
    )  # fmt: skip


class Checkout(s.Serializer):
    order = s.UUIDField()
    method = s.CharField(help_text="card или sbp.")
    confirmation_url = s.CharField(
        help_text="Картой — страница оплаты у эквайера; по СБП — наша страница с QR-кодом и ссылкой на банк."
    )
    sbp_payload = s.CharField(
        allow_null=True,
        help_text="Только для СБП: текст QR-кода (ссылка НСПК qr.nspk.ru), она же открывает приложение банка на "
        "телефоне. Для карты — null.",
    )
    payments = Payment(many=True)


class Order(s.Serializer):
    order = s.UUIDField()
    processing = s.BooleanField()
    payments = Payment(many=True)


class AttachmentOut(s.Serializer):
    id = s.IntegerField()
    name = s.CharField(source="original_name")
    content_type = s.CharField()
    size = s.IntegerField()
    url = s.CharField()


class MessageOut(s.Serializer):
    id = s.IntegerField()
    kind = s.CharField()
    text = s.CharField()
    created_at = s.DateTimeField()
    attachments = AttachmentOut(many=True)


class AppealOut(s.Serializer):
    id = s.IntegerField()
    account = AccountRef()
    organisation = Organisation()
    topic = s.CharField()
    topic_display = s.CharField(source="get_topic_display")
    status = s.CharField()
    status_display = s.CharField(source="get_status_display")
    text = s.CharField()
    contact = s.CharField()
    created_at = s.DateTimeField()
    answered_at = s.DateTimeField(allow_null=True)
    closed_at = s.DateTimeField(allow_null=True)


class AppealDetail(AppealOut):
    messages = MessageOut(many=True)


class AppealIn(s.Serializer):
    account = s.IntegerField(min_value=1, max_value=2**63 - 1)
    topic = s.CharField(max_length=16, help_text="readings, payment, quality или other.")
    text = s.CharField(max_length=5000)
    contact = s.CharField(max_length=200)
    files = s.ListField(child=s.FileField(), required=False, max_length=5)


class ReplyIn(s.Serializer):
    text = s.CharField(max_length=5000)
    files = s.ListField(child=s.FileField(), required=False, max_length=5)


class PaidServiceOut(s.Serializer):
    id = s.IntegerField()
    organisation = Organisation()
    name = s.CharField()
    description = s.CharField()
    price = money()
    unit = s.CharField()


class PaidRequestOut(s.Serializer):
    id = s.IntegerField()
    account = AccountRef()
    service = s.CharField(source="service.name")
    price = money()
    desired_date = s.DateField()
    comment = s.CharField()
    contact = s.CharField()
    status = s.CharField()
    status_display = s.CharField(source="get_status_display")
    created_at = s.DateTimeField()


class PaidRequestIn(s.Serializer):
    account = s.IntegerField(min_value=1, max_value=2**63 - 1)
    service = s.IntegerField(min_value=1, max_value=2**63 - 1)
    desired_date = s.DateField()
    comment = s.CharField(max_length=5000, required=False, allow_blank=True, default="")
    contact = s.CharField(max_length=200)


class NewsOut(s.Serializer):
    id = s.IntegerField()
    organisation = Organisation()
    title = s.CharField()
    body = s.CharField()
    published_on = s.DateField()
    pinned = s.BooleanField()


class OutageOut(s.Serializer):
    id = s.IntegerField()
    organisation = Organisation()
    kind = s.CharField()
    resource = s.CharField()
    resource_display = s.CharField(source="get_resource_display")
    starts_at = s.DateTimeField()
    ends_at = s.DateTimeField()
    description = s.CharField()
    addresses = s.ListField(child=s.CharField())


class Outages(s.Serializer):
    current = OutageOut(many=True)
    recent = OutageOut(many=True)
