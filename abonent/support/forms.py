"""Forms of the subscriber's pages: shapes only; the rules (whose account, which files) are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from abonent.lib.inputs import RuDateField
from abonent.lib.numbers import money

from .models import Appeal


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _account_choices(links):
    return [(link.account_id, f"{link.account.number} — {link.account.premises.address}") for link in links]


class AppealForm(forms.Form):
    account = forms.TypedChoiceField(label=_("Лицевой счёт"), coerce=int)
    topic = forms.ChoiceField(label=_("Тема"), choices=Appeal.Topic.choices)
    text = forms.CharField(label=_("Текст обращения"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    contact = forms.CharField(
        label=_("Контакт для ответа"), max_length=200, help_text=_("Телефон или e-mail, по которому вам ответить")
    )
    files = forms.FileField(
        label=_("Файлы"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
        help_text=_("До 5 файлов JPEG, PNG или PDF, каждый не больше 10 МБ"),
    )

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices(links)
        self.fields["account"].error_messages["invalid_choice"] = _(
            "Лицевой счёт не найден среди подключённых к вашему кабинету."
        )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Ваше сообщение"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    files = AppealForm.base_fields["files"]


class PaidRequestForm(forms.Form):
    account = forms.TypedChoiceField(label=_("Лицевой счёт"), coerce=int)
    service = forms.TypedChoiceField(label=_("Услуга"), coerce=int)
    desired_date = RuDateField(label=_("Желаемая дата"), error_messages={"invalid": _("Дата в виде ДД.ММ.ГГГГ.")})
    contact = forms.CharField(label=_("Контакт"), max_length=200, help_text=_("Телефон или e-mail для связи"))
    comment = forms.CharField(
        label=_("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, links=(), catalogue=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices(links)
        self.fields["service"].choices = [
            (service.pk, f"{service.name} — {money(service.price)} ({org.short_name})")
            for org, services in catalogue
            for service in services
        ]
