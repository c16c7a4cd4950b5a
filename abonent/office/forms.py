"""The office's forms: the shape of what is typed (digits, lengths, choices); rules are in the services."""

from django import forms

from abonent.billing.models import Service
from abonent.lib.inputs import (
    EARLIEST_DATE,
    AsciiDecimalField,
    AsciiIntegerField,
    RuDateField,
    RuDateInput,
    latest_future_date,
    parse_ru_month,
    refuse_non_ascii_digits,
    refuse_undecodable,
)
from abonent.payments.models import Payment
from abonent.payments.services import DESK, PaymentError, parse_amount
from abonent.support.models import PaidServiceRequest

from .models import DebtNotice, Role


class MonthRangeForm(forms.Form):
    first = forms.CharField(label="С месяца (ММ.ГГГГ)", required=False, max_length=7)
    last = forms.CharField(label="По месяц (ММ.ГГГГ)", required=False, max_length=7)


class DebtorFilterForm(forms.Form):
    debt_above = AsciiDecimalField(label="Долг больше, ₽", required=False, min_value=0, max_digits=12, decimal_places=2)
    months_above = AsciiDecimalField(label="Месяцев долга больше", required=False, min_value=0, max_digits=5,
                                     decimal_places=1)  # fmt: skip
    building = AsciiIntegerField(label="Дом", required=False, min_value=1, widget=forms.Select)
    service = AsciiIntegerField(label="Услуга", required=False, min_value=1, widget=forms.Select)
    sort = forms.ChoiceField(
        label="Сортировка",
        required=False,
        choices=[
            ("debt", "по долгу"),
            ("months", "по месяцам долга"),
            ("number", "по счёту"),
            ("address", "по адресу"),
        ],
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label="Причина отклонения", max_length=300)


class AnswerForm(forms.Form):
    text = forms.CharField(label="Ответ абоненту", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)


class RequestForm(forms.Form):
    status = forms.ChoiceField(label="Статус", choices=PaidServiceRequest.Status.choices)
    comment = forms.CharField(label="Комментарий для абонента", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class OperatorForm(forms.Form):
    username = forms.CharField(label="Логин", max_length=150)
    full_name = forms.CharField(label="Имя и фамилия", max_length=150, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    role = forms.ChoiceField(label="Роль", choices=Role.choices)
    password = forms.CharField(label="Временный пароль", min_length=10, max_length=128, widget=forms.PasswordInput)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Роль", choices=Role.choices)


class DeskAmountField(forms.CharField):
    """Roubles and kopecks as typed at the counter («1 234,50»), by the payments app's own reading of an amount."""

    def clean(self, value):
        try:
            return parse_amount(super().clean(value))
        except PaymentError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DeskForm(forms.Form):
    """A payment at the counter. `token` is issued with the form: the same form sent twice is one payment."""

    amount = DeskAmountField(label="Сумма, ₽", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal",
                             "autofocus": True, "autocomplete": "off"}))  # fmt: skip
    channel = forms.ChoiceField(label="Способ", choices=[(c, Payment.Channel(c).label) for c in DESK],
                                initial=Payment.Channel.CASH, widget=forms.RadioSelect)  # fmt: skip
    service = AsciiIntegerField(label="Услуга (если плательщик назвал)", required=False, min_value=1,
                                widget=forms.Select)  # fmt: skip
    period = forms.CharField(label="За месяц (ММ.ГГГГ, если назван)", required=False, max_length=7,
                             widget=RuDateInput(kind="month"))  # fmt: skip
    payer_name = forms.CharField(label="Плательщик", required=False, max_length=200)
    token = forms.UUIDField(widget=forms.HiddenInput, error_messages={"invalid": "Форма устарела: откройте её снова.",
                            "required": "Форма устарела: откройте её снова."})  # fmt: skip

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        services = Service.objects.filter(organisation=organisation).order_by("sort_order", "name")
        self.fields["service"].widget.choices = [("", "не названа — по правилу распределения"),
                                                 *services.values_list("id", "name")]  # fmt: skip

    def clean_service(self):
        service_id = self.cleaned_data["service"]
        if service_id is None:
            return None
        service = Service.objects.filter(pk=service_id, organisation=self.organisation).first()
        if service is None:
            raise forms.ValidationError("Такой услуги у организации нет.")
        return service

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        if not text:
            return None
        refuse_non_ascii_digits(text)
        month = parse_ru_month(text)
        if month is None or not (EARLIEST_DATE <= month <= latest_future_date(self.organisation.today())):
            raise forms.ValidationError("Месяц вводится как ММ.ГГГГ, например 11.2026.")
        return month

    def clean_payer_name(self):
        name = self.cleaned_data["payer_name"].strip()
        refuse_undecodable(name)
        return name


class DeskCancelForm(forms.Form):
    reason = forms.CharField(label="Причина отмены", max_length=300, min_length=5,
                             error_messages={"required": "Укажите причину отмены платежа.",
                                             "min_length": "Опишите причину отмены (не короче 5 знаков)."})  # fmt: skip


class RestrictionForm(forms.Form):
    """How and when the warning reaches the debtors: the 20 days of ПП 354 п.119 run from that day."""

    delivery = forms.ChoiceField(label="Способ доставки (п. 119 «а»)", choices=DebtNotice.Delivery.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Выберите способ доставки предупреждения.",
                                                 "invalid_choice": "Выберите способ доставки предупреждения."})  # fmt: skip
    delivered_on = RuDateField(label="Дата доставки (вручения)",
                               error_messages={"required": "Укажите дату доставки."})  # fmt: skip
