"""The office's forms: the shape of what is typed (digits, lengths, choices); rules are in the services."""

from django import forms

from abonent.lib.inputs import AsciiDecimalField, AsciiIntegerField
from abonent.support.models import PaidServiceRequest

from .models import Role


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
