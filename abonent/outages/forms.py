from django import forms
from django.utils.translation import gettext_lazy as _

from abonent.lib.inputs import RuDateInput
from abonent.outages.models import YEARS


class DayForm(forms.Form):
    """The public list's date filter: a day in dd.mm.yyyy (empty: everything not over yet)."""

    day = forms.DateField(
        label=_("Дата"),
        required=False,
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        widget=RuDateInput(),
        error_messages={"invalid": _("Введите дату в виде дд.мм.гггг, например 01.06.2026.")},
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day is not None and not (YEARS[0] <= day.year <= YEARS[1]):
            raise forms.ValidationError(
                _("Укажите дату между %(first)s и %(last)s годом.") % {"first": YEARS[0], "last": YEARS[1]}
            )
        return day
