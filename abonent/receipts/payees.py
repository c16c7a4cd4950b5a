"""Who the ЕПД asks to be paid what (ПП РФ №354 п.69 «а», «б»: the payee's details, and those of the supplier when
a service is paid to it directly).

Every service paid directly to its supplier (Service.payee = direct) gets a section of its own: the supplier's
name, ИНН, КПП, bank details, its services' figures from the ledger by service (billing.ServiceBalance, frozen once
the period is published) and its own ГОСТ QR code. For a published period the supplier's details are those stored
at publish (receipts.IssuedPeriod.suppliers), like the organisation's. Everything else — the organisation's own
services, the services it collects for as an agent, what belongs to no service — is one section under the
organisation's details, and the header's QR code pays that section only. The sections' figures sum to the
account's balance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from abonent.billing.models import BillingPeriod, Service, ServiceBalance
from abonent.orgs.dates import month_label

from . import qr

ZERO = Decimal("0")


@dataclass
class Section:
    name: str
    short_name: str
    inn: str
    kpp: str
    address: str
    bank_name: str
    bik: str
    correspondent_account: str
    settlement_account: str
    direct: bool  # paid to the supplier directly; False — to the organisation (itself or as the agent)
    services: list[str] = field(default_factory=list)
    agent_for: list[str] = field(default_factory=list)  # the suppliers the organisation collects for here
    opening: Decimal = ZERO
    charged: Decimal = ZERO
    recalculated: Decimal = ZERO
    penalties: Decimal = ZERO
    paid: Decimal = ZERO
    closing: Decimal = ZERO

    @property
    def due_for_period(self) -> Decimal:
        return self.charged + self.recalculated + self.penalties

    @property
    def total(self) -> Decimal:
        """The section's «итого к оплате с учётом задолженности»: its closing, never below zero."""
        return max(self.closing, ZERO)

    def add(self, row: ServiceBalance) -> None:
        for name in ("opening", "charged", "recalculated", "penalties", "paid", "closing"):
            setattr(self, name, getattr(self, name) + getattr(row, name))

    def payment(self, *, number: str, month, payer_address: str) -> qr.Payment:
        what = "ЖКУ" if not self.direct else ", ".join(self.services)
        return qr.Payment(
            name=self.name,
            personal_acc=self.settlement_account,
            bank_name=self.bank_name,
            bic=self.bik,
            corresp_acc=self.correspondent_account,
            payee_inn=self.inn,
            kpp=self.kpp,
            purpose=f"Оплата {what} за {month_label(month)}, л/с {number}",
            total=self.total,
            pers_acc=number,
            paym_period=f"{month:%m%Y}",
            payer_address=payer_address,
        )


def _organisation_section(org) -> Section:
    return Section(
        org.name,
        org.short_name,
        org.inn,
        org.kpp,
        org.office_address or org.legal_address,
        org.bank_name,
        org.bik,
        org.correspondent_account,
        org.settlement_account,
        direct=False,
    )


def _supplier_section(supplier) -> Section:
    return Section(
        supplier.name,
        supplier.short_name,
        supplier.inn,
        supplier.kpp,
        supplier.address,
        supplier.bank_name,
        supplier.bik,
        supplier.correspondent_account,
        supplier.settlement_account,
        direct=True,
    )


def _place(sections: dict, org, service: Service | None) -> Section:
    direct = service is not None and service.supplier_id and service.payee == Service.Payee.DIRECT
    key = service.supplier_id if direct else None
    if key not in sections:
        sections[key] = _supplier_section(service.supplier) if direct else _organisation_section(org)
    section = sections[key]
    if service is not None:
        section.services.append(service.name)
        if not direct and service.supplier_id and service.supplier.short_name not in section.agent_for:
            section.agent_for.append(service.supplier.short_name)
    return section


def sections_for(
    period: BillingPeriod, account_ids: list[int], org, services: dict[int, Service] | None = None
) -> dict[int, list[Section]]:
    """account → its sections: the organisation's first, then each direct supplier's in the services' order.
    One query for any number of accounts. `services`: the services with their suppliers as issued (a published
    period's stored receipts), so a supplier's later change of bank does not reach a reprint; None — as they are."""
    rows = (
        ServiceBalance.objects.filter(period=period, account_id__in=account_ids)
        .select_related("service", "service__supplier")
        .order_by("account_id", "service__sort_order", "service_id")
    )
    by_account: dict[int, dict] = defaultdict(dict)
    for row in rows:
        sections = by_account[row.account_id]
        if None not in sections:
            sections[None] = _organisation_section(org)
        service = services.get(row.service_id, row.service) if services is not None else row.service
        _place(sections, org, service).add(row)
    return {account_id: list(sections.values()) for account_id, sections in by_account.items()}
