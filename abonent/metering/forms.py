"""The one form for all meters of an account: what was typed, per meter, and the confirmations ticked."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .checks import Verdict
from .errors import ReadingError
from .models import Reading
from .selectors import cost
from .submit import reading_check


@dataclasses.dataclass
class Entry:
    row: object  # selectors.MeterRow
    text: str = ""
    confirm_rollover: bool = False
    confirm_high: bool = False
    verdict: Verdict | None = None
    error: str = ""
    error_code: str = ""

    @property
    def meter(self):
        return self.row.meter

    @property
    def needs_rollover(self) -> bool:
        return self.error_code == "confirm_rollover" or self.confirm_rollover

    @property
    def needs_high(self) -> bool:
        return self.error_code == "confirm_high" or self.confirm_high

    @property
    def cost(self) -> Decimal | None:
        if self.verdict is None:
            return None
        return cost(self.verdict.consumption, self.row.price)


class ReadingsForm:
    """Not a django.forms.Form: the fields depend on the account's meters and every check is the service's."""

    def __init__(self, rows, data=None):
        self.entries = []
        self.non_field_error = ""
        for row in rows:
            entry = Entry(row=row)
            if data is not None and row.takes_input:
                entry.text = (data.get(f"value_{row.meter.pk}") or "").strip()[:40]
                entry.confirm_rollover = data.get(f"rollover_{row.meter.pk}") == "1"
                entry.confirm_high = data.get(f"high_{row.meter.pk}") == "1"
            self.entries.append(entry)

    @property
    def filled(self) -> list[Entry]:
        return [e for e in self.entries if e.text]

    def check(self, *, organisation, when) -> bool:
        """Run every meter's checks without saving; True if all that were filled in pass."""
        if not self.filled:
            self.non_field_error = str(_("Введите показание хотя бы одного счётчика."))
            return False
        ok = True
        for entry in self.filled:
            try:
                entry.verdict = reading_check(
                    meter=entry.meter,
                    value_text=entry.text,
                    channel=Reading.Channel.PORTAL,
                    when=when,
                    confirm_rollover=entry.confirm_rollover,
                    confirm_high=entry.confirm_high,
                    organisation=organisation,
                )
            except ReadingError as exc:
                entry.error, entry.error_code, ok = exc.text, exc.code, False
        return ok

    @property
    def total_cost(self) -> Decimal | None:
        costs = [e.cost for e in self.filled if e.cost is not None]
        return sum(costs, Decimal(0)) if costs else None


class OperatorReadingForm(forms.Form):
    """An operator types what a subscriber said on the phone."""

    account_number = forms.CharField(label=_("Лицевой счёт"), max_length=30)
    serial_number = forms.CharField(label=_("Заводской номер счётчика"), max_length=40)
    value = forms.CharField(label=_("Показание"), max_length=40, help_text=_("Например: 123,45"))
    confirm_rollover = forms.BooleanField(label=_("Счётчик перешёл через ноль"), required=False)
    confirm_high = forms.BooleanField(label=_("Большой расход подтверждён абонентом"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Файл CSV или XLSX"),
        help_text=_("Столбцы: лицевой счёт; заводской номер счётчика; показание; дата (ДД.ММ.ГГГГ)."),
    )
