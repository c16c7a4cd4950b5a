"""Who may open which page of the office and do which action: one table, asked by every view.

A role is a workplace: the accountant keeps the money (reports, debtors, letters), the dispatcher the readings
and the appeals, the auditor sees everything and changes nothing, the organisation's administrator does all of
it and manages the operators. An operator with no role set is an auditor: the office never grants by default
what an administrator did not give. A superuser acts as the administrator of the organisation they belong to.
"""

from __future__ import annotations

from .models import OfficeRole, Role

ACCOUNTANT, DISPATCHER, AUDITOR, ADMINISTRATOR = Role.ACCOUNTANT, Role.DISPATCHER, Role.AUDITOR, Role.ADMINISTRATOR
EVERYONE = frozenset(Role.values)

# page or action → the roles allowed it. Views name their entry; a name missing here is a programming error.
ALLOWED: dict[str, frozenset[str]] = {
    "dashboard": EVERYONE,
    "account": EVERYONE,
    "turnover": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "payments_report": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "readings_report": EVERYONE,
    "cycle": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "cycle_run": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    "debtors": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "notices_send": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    "notice_print": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "queue": frozenset({DISPATCHER, AUDITOR, ADMINISTRATOR}),
    "queue_decide": frozenset({DISPATCHER, ADMINISTRATOR}),
    "entry": frozenset({DISPATCHER, ADMINISTRATOR}),
    "appeals": frozenset({DISPATCHER, AUDITOR, ADMINISTRATOR}),
    "appeal_answer": frozenset({DISPATCHER, ADMINISTRATOR}),
    "request_change": frozenset({DISPATCHER, ADMINISTRATOR}),
    "audit": frozenset({AUDITOR, ADMINISTRATOR}),
    "operators": frozenset({ADMINISTRATOR}),
    # a job's page: whoever may open the office sees its organisation's jobs (what starts them is checked apart)
    "job": EVERYONE,
    "registry_import": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    "registry_layouts": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    "readings_import": frozenset({DISPATCHER, ADMINISTRATOR}),
    "register_import": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    "unmatched": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "unmatched_resolve": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    # the cash desk keeps money: the accountant's; the auditor sees the payments and slips, the dispatcher nothing
    "cash": frozenset({ACCOUNTANT, AUDITOR, ADMINISTRATOR}),
    "cash_take": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    "cash_cancel": frozenset({ACCOUNTANT, ADMINISTRATOR}),
    # news is what the dispatcher tells the houses (outages, works); the auditor reads it
    "news": frozenset({DISPATCHER, AUDITOR, ADMINISTRATOR}),
    "news_edit": frozenset({DISPATCHER, ADMINISTRATOR}),
}


def role_of(user) -> str:
    if user.is_superuser:
        return ADMINISTRATOR
    record = OfficeRole.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    return record or AUDITOR


def may(role: str, entry: str) -> bool:
    return role in ALLOWED[entry]
