"""The public forms: shapes only (the rules are the models' and services'); a captcha as at the login."""

from decimal import Decimal

from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from abonent.lib.inputs import AsciiDecimalField
from abonent.orgs.models import Organisation
from abonent.support.files import MAX_FILES

from .models import ConnectionApplication


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each is checked by content in the service (support.files)."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(FilesField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _captcha():
    return CaptchaField(
        label=_("Код на картинке"),
        error_messages={"invalid": _("Код с картинки введён неверно, попробуйте ещё раз.")},
    )


def _organisations():
    return forms.ModelChoiceField(
        label=_("Организация"),
        queryset=Organisation.objects.order_by("short_name"),
        empty_label=_("— выберите —"),
        error_messages={"invalid_choice": _("Выберите организацию из списка.")},
    )


class CabinetApplicationForm(forms.Form):
    organisation = _organisations()
    account_number = forms.CharField(label=_("Номер лицевого счёта"), max_length=30)
    full_name = forms.CharField(label=_("ФИО владельца счёта"), max_length=200)
    email = forms.EmailField(label=_("E-mail для ответа"), max_length=254)
    phone = forms.CharField(label=_("Телефон"), max_length=20)
    address = forms.CharField(label=_("Адрес помещения"), max_length=300)
    files = FilesField(
        label=_("Копии документов"),
        required=False,
        help_text=_(
            "Квитанция, договор или свидетельство о собственности: PDF, JPEG или PNG, до %(n)s файлов по 10 МБ."
        )
        % {"n": MAX_FILES},
    )
    captcha = _captcha()


class ConnectionApplicationForm(forms.Form):
    organisation = _organisations()
    applicant = forms.CharField(label=_("Заявитель (ФИО или название организации)"), max_length=300)
    email = forms.EmailField(label=_("E-mail для ответа"), max_length=254)
    phone = forms.CharField(label=_("Телефон"), max_length=20)
    object_address = forms.CharField(label=_("Адрес объекта"), max_length=300)
    kind = forms.ChoiceField(label=_("Вид подключения"), choices=ConnectionApplication.Kind.choices)
    load = AsciiDecimalField(
        label=_("Запрашиваемая нагрузка"),
        max_digits=12,
        decimal_places=3,
        localize=True,
        min_value=Decimal("0.001"),
        error_messages={"min_value": _("Нагрузка должна быть больше нуля.")},
        help_text=_("м³/сут для водоснабжения и водоотведения, Гкал/ч для теплоснабжения"),
    )
    files = FilesField(
        label=_("Документы"),
        required=False,
        help_text=_("Правоустанавливающие документы на участок, ситуационный план: PDF, JPEG или PNG."),
    )
    captcha = _captcha()
