"""Who did what and when: the office's own log joined with the register's access log (users.AuditEvent), per
account and per operator, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from abonent.users.models import AuditEvent

from .models import OfficeAction

LIMIT = 200


@dataclass(frozen=True)
class Event:
    at: object
    actor: object
    what: str
    account: object
    details: str


def _office(rows) -> list[Event]:
    return [Event(r.at, r.actor, r.get_kind_display(), r.account, r.details) for r in rows[:LIMIT]]


def _access(rows) -> list[Event]:
    return [Event(r.at, r.actor, r.get_action_display(), r.account, r.details) for r in rows[:LIMIT]]


def _merged(*lists) -> list[Event]:
    return sorted((e for events in lists for e in events), key=lambda e: e.at, reverse=True)[:LIMIT]


def of_account(organisation, account) -> list[Event]:
    office = OfficeAction.objects.filter(organisation=organisation, account=account).select_related("actor")
    register = AuditEvent.objects.filter(account=account).select_related("actor")
    return _merged(_office(office), _access(register))


def of_operator(organisation, operator) -> list[Event]:
    office = OfficeAction.objects.filter(organisation=organisation, actor=operator).select_related("account")
    register = AuditEvent.objects.filter(actor=operator, account__organisation=organisation).select_related("account")
    return _merged(_office(office), _access(register))


def recent(organisation) -> list[Event]:
    office = OfficeAction.objects.filter(organisation=organisation).select_related("actor", "account")
    register = AuditEvent.objects.filter(account__organisation=organisation).select_related("actor", "account")
    return _merged(_office(office), _access(register))
