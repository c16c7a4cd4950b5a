"""The door of every office page: a logged-in operator of an organisation, with a role allowed the page.

Not logged in → the login page; not an operator of an organisation, or a role without the page → 403 with the
reason in Russian. Inside, dates and times are shown in the organisation's zone, as on the portal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from abonent.orgs.access import works_in_back_office
from abonent.orgs.models import Organisation

from . import roles

NAV = [
    ("cycle", "Цикл месяца", "office:cycle"),
    ("queue", "Показания", "office:queue"),
    ("entry", "Ввод с бланка", "office:entry_houses"),
    ("appeals", "Обращения", "office:inbox"),
    ("cash", "Касса", "office:cash"),
    ("debtors", "Должники", "office:debtors"),
    ("turnover", "ОСВ", "office:turnover"),
    ("payments_report", "Платежи", "office:payments"),
    ("registry_import", "Реестр банка", "office:registry_import"),
    ("unmatched", "Несопоставленные", "office:unmatched"),
    ("readings_import", "Показания из файла", "office:readings_import"),
    ("register_import", "Реестр из биллинга", "office:register_import"),
    ("readings_report", "Показания по домам", "office:readings"),
    ("news", "Новости", "office:news"),
    ("audit", "Журнал", "office:audit"),
    ("operators", "Операторы", "office:operators"),
]


@dataclass(frozen=True)
class Office:
    organisation: Organisation
    role: str

    def may(self, entry: str) -> bool:
        return roles.may(self.role, entry)

    @property
    def can(self) -> dict[str, bool]:
        """For templates: `office.can.notices_send` — show a button only to those it would let through."""
        return {entry: self.may(entry) for entry in roles.ALLOWED}

    @property
    def nav(self) -> list[tuple[str, str]]:
        """The sections this role may open, in the order of a working day."""
        return [(label, reverse(name)) for entry, label, name in NAV if self.may(entry)]

    @property
    def role_label(self) -> str:
        return roles.Role(self.role).label


def _refused(request, reason: str):
    return render(request, "office/refused.html", {"reason": reason}, status=403)


def office_page(entry: str, *, methods=("GET", "HEAD")):
    """Guard a view with the role table (roles.ALLOWED[entry]); the view gets `request.office`."""
    roles.ALLOWED[entry]  # a typo in a view's entry fails at import, not on the first request

    def decorate(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not works_in_back_office(user) or user.organisation_id is None:
                return _refused(request, "Офис открыт только сотрудникам организации.")
            if request.method not in methods:
                return _refused(request, "Это действие здесь не выполняется.")
            office = Office(organisation=user.organisation, role=roles.role_of(user))
            if not office.may(entry):
                return _refused(request, f"Роли «{office.role_label}» эта страница или действие недоступны.")
            request.office = office
            with timezone.override(office.organisation.tz):
                return view(request, *args, **kwargs)

        return guarded

    return decorate
