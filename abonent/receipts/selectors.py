"""Everything one ЕПД shows (ПП РФ №354 п.69; docs/BILLING.md), read in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum

from abonent.billing import cycle_guard
from abonent.billing.models import AccountBalance, BillingPeriod, Charge, LedgerEntry, Penalty, Recalculation
from abonent.billing.penalties import due_date
from abonent.billing.selectors import PUBLISHED
from abonent.housing.models import PersonalAccount
from abonent.lib.dates import ru_date
from abonent.lib.numbers import format_decimal
from abonent.orgs.dates import add_months, month_end, month_label
from abonent.orgs.models import Organisation

from . import common_use, issued, qr
from . import payees as payee_sections

ZERO = Decimal("0")
# docs/BILLING.md, «Рассрочка»: a charge more than 25 % above the same month last year gets the instalment offer
# (Правила № 354, п. 72–75).
INSTALMENT_GROWTH = Decimal("1.25")


@dataclass
class Line:
    service_id: int
    service: str
    unit: str
    price: Decimal
    basis: str
    volume: Decimal
    common_volume: Decimal
    charged: Decimal
    factor: Decimal | None
    factor_excess: Decimal
    recalculated: Decimal = ZERO
    last_year: Decimal | None = None  # charged for the service in the same month a year earlier, when published
    basis_note: str = ""  # why a metered service is charged by the average or the norm (an expired verification)
    norm: Decimal | None = None  # the норматив of a line charged by it (ПП РФ №354, п.69), per norm_unit
    norm_unit: str = ""

    @property
    def total(self) -> Decimal:
        return self.charged + self.recalculated

    @property
    def instalment_offered(self) -> bool:
        """More than 25 % above the same month last year (exactly 25 % is not more)."""
        return bool(self.last_year) and self.last_year > 0 and self.charged > self.last_year * INSTALMENT_GROWTH


@dataclass
class MeterRow:
    service: str
    serial: str
    unit: str
    previous: Decimal | None
    current: Decimal | None
    volume: Decimal


@dataclass
class HouseRow:
    """The house's common-use figures of one common-house line."""

    service: str
    unit: str
    meter: str  # the house meter's number; empty: no house meter, common needs by норматив
    reading: Decimal | None  # the house meter's reading of the month
    house_volume: Decimal | None  # the house meter's volume: common + individual (by house meter only)
    individual: Decimal  # Σ of the premises' individual volumes
    common: Decimal | None  # the house's volume for common needs, shared out by area


@dataclass
class Receipt:
    account: PersonalAccount
    organisation: Organisation
    period: BillingPeriod
    balance: AccountBalance
    lines: list[Line]
    meters: list[MeterRow]
    recalculations: list = field(default_factory=list)
    penalty: Decimal = ZERO
    paid_until: dt.date | None = None
    last_payment_on: dt.date | None = None
    due_date: dt.date | None = None
    number: str = ""  # the payment document's number (issued.number_prefix), stored with the issued receipt
    gis_document_id: str = ""  # the id ГИС ЖКХ gave the document, once loaded from its answer
    house: list[HouseRow] = field(default_factory=list)
    # No benefits or subsidies are granted through this payee; the ЕПД form has their lines all the same.
    benefits: Decimal = ZERO
    subsidies: Decimal = ZERO
    # who is paid what (payees.py): the organisation's section first, then each supplier paid directly
    payees: list[payee_sections.Section] = field(default_factory=list)

    @property
    def direct_payees(self) -> list[payee_sections.Section]:
        return [s for s in self.payees if s.direct]

    @property
    def organisation_section(self) -> payee_sections.Section | None:
        return next((s for s in self.payees if not s.direct), None)

    @property
    def period_label(self) -> str:
        return month_label(self.period.month)

    @property
    def slug(self) -> str:
        return f"{self.period.month:%Y-%m}"

    @property
    def opening(self) -> Decimal:
        """Debt (positive) or advance (negative) carried in."""
        return self.balance.opening

    @property
    def due_for_period(self) -> Decimal:
        """К оплате за период: the month's charges, recalculations and penalties, less benefits and subsidies."""
        b = self.balance
        return b.charged + b.recalculated + b.penalties - self.benefits - self.subsidies

    @property
    def closing(self) -> Decimal:
        """Debt (positive) or advance (negative) carried out: the opening, the period's due, less what was paid."""
        return self.balance.closing

    @property
    def total(self) -> Decimal:
        """Итого к оплате с учётом задолженности: the closing balance, never below zero (an advance is shown,
        not paid back). The QR code's Sum."""
        return max(self.balance.closing, ZERO)

    @property
    def payee_address(self) -> str:
        org = self.organisation
        return org.office_address or org.legal_address

    @property
    def address(self) -> str:
        return self.account.premises.address

    def payment(self) -> qr.Payment:
        """The header's QR code: the whole total, or — when some services are paid to their suppliers directly —
        the organisation's section only (each direct supplier's section has its own code)."""
        org = self.organisation
        own = self.organisation_section
        if self.direct_payees:
            return own.payment(number=self.account.number, month=self.period.month, payer_address=self.address)
        return qr.Payment(
            name=org.name,
            personal_acc=org.settlement_account,
            bank_name=org.bank_name,
            bic=org.bik,
            corresp_acc=org.correspondent_account,
            payee_inn=org.inn,
            kpp=org.kpp,
            purpose=f"Оплата ЖКУ за {self.period_label}, л/с {self.account.number}",
            total=self.total,
            pers_acc=self.account.number,
            paym_period=f"{self.period.month:%m%Y}",
            payer_address=self.address,
        )

    def qr_payload(self) -> str:
        return qr.payload(self.payment())

    @property
    def last_year_label(self) -> str:
        return month_label(add_months(self.period.month, -12))

    @property
    def instalment_offers(self) -> list[str]:
        """One sentence per service charged more than 25 % above the same month last year (empty: no offer)."""
        return [
            f"Начисление за «{line.service}» за {self.period_label} ({_rub(line.charged)}) выше, чем за "
            f"{self.last_year_label} ({_rub(line.last_year)}), более чем на 25 %: вы можете оплатить его в рассрочку."
            for line in self.lines
            if line.instalment_offered
        ]

    @property
    def instalment_terms(self) -> str:
        org = self.organisation
        contacts = ", ".join(filter(None, [org.phone, org.email]))
        return (
            "Рассрочка (п. 72–75 Правил предоставления коммунальных услуг, утв. постановлением Правительства РФ "
            "от 06.05.2011 № 354): равными частями на срок до 12 месяцев; плата за рассрочку — проценты не выше "
            "ключевой ставки Банка России, увеличенной на 3 процентных пункта, на день её предоставления. "
            f"Чтобы оформить рассрочку, обратитесь в {org.short_name}" + (f": {contacts}." if contacts else ".")
        )


def _rub(amount: Decimal) -> str:
    return f"{format_decimal(amount, 2)} руб."


def published_period(*, account: PersonalAccount, month: dt.date) -> BillingPeriod | None:
    return BillingPeriod.objects.filter(organisation_id=account.organisation_id, month=month, state=PUBLISHED).first()


def receipt_periods(*, account: PersonalAccount):
    """Published periods with a balance for the account, newest first (one query)."""
    return (
        AccountBalance.objects.filter(account=account, period__state=PUBLISHED)
        .select_related("period")
        .order_by("-period__month")
    )


def receipt_for(*, account: PersonalAccount, period: BillingPeriod) -> Receipt | None:
    """The ЕПД of a published period, or None when the period is not published or has no balance for the account."""
    found = receipts_for(period=period, account_ids=[account.pk])
    return found[0] if found else None


def receipts_for(*, period: BillingPeriod, account_ids: list[int] | None = None) -> list[Receipt]:
    """The ЕПД of many accounts of one published period as issued (the documents stored at publish), ordered by
    account number; for a period published before receipts were stored, computed from the register."""
    # A document a crash after publish left unwritten is written now; one being written is waited for.
    issued.issue_documents(period, account_ids, register_sources)
    sources = issued.stored(period, account_ids)
    if sources is None:
        return receipts_computed(period=period, account_ids=account_ids)
    return receipts_assembled(period, sources)


def receipts_computed(*, period: BillingPeriod, account_ids: list[int] | None = None) -> list[Receipt]:
    """The ЕПД of many accounts of one published period computed from the register, in six queries whatever
    their number, ordered by account number."""
    sources = register_sources(period, account_ids)
    return receipts_assembled(period, sources) if sources else []


def register_sources(period: BillingPeriod, account_ids: list[int] | None = None) -> issued.Sources | None:
    """What the receipts of these accounts are made of, read from the register in six queries (None: no
    receipts, the period is not published or the accounts have no balance in it)."""
    balances = AccountBalance.objects.filter(period=period, period__state=PUBLISHED).select_related(
        "period", "period__organisation", "account__premises__building"
    )
    if account_ids is not None:
        balances = balances.filter(account_id__in=account_ids)
    balances = list(balances.order_by("account__number"))
    if not balances:
        return None
    ids = [b.account_id for b in balances]
    charges = defaultdict(list)
    for c in (
        Charge.objects.filter(period=period, account_id__in=ids)
        .select_related("service", "meter")
        .order_by("service__sort_order", "service__name", "meter_id")
    ):
        charges[c.account_id].append(c)
    recalcs = defaultdict(list)
    for r in (
        Recalculation.objects.filter(period=period, account_id__in=ids)
        .select_related("service", "corrected_period")
        .order_by("corrected_period__month", "id")
    ):
        recalcs[r.account_id].append(r)
    penalties = dict(Penalty.objects.filter(period=period, account_id__in=ids).values_list("account_id", "amount"))
    # A payment counts in the period of its date, so the balance includes payments up to the month's end; one
    # posted in a later period (a late payment, after this one was published) is not in this receipt.
    last_payments = dict(
        LedgerEntry.objects.filter(
            account_id__in=ids,
            kind=LedgerEntry.Kind.PAYMENT,
            amount__gt=0,
            occurred_on__lte=month_end(period.month),
            period__organisation_id=period.organisation_id,
            period__month__lte=period.month,
        )
        .values("account_id")
        .annotate(last=Max("occurred_on"))
        .values_list("account_id", "last")
    )
    org = balances[0].period.organisation
    for b in balances:
        b.account.organisation = org
    return issued.Sources(
        organisation=org,
        due_date=due_date(org, period.month),
        balances=balances,
        charges=charges,
        recalculations=recalcs,
        penalties=penalties,
        last_payments=last_payments,
        last_year=_last_year_charges(period, ids),
        **_common_use(period, balances, charges),
    )


def _common_use(period: BillingPeriod, balances: list[AccountBalance], charges: dict[int, list[Charge]]) -> dict:
    """The нормативы and the houses' figures, read only when a line of the chunk needs them (up to three
    queries for the chunk, none for a register without common-house needs or norm-charged lines)."""
    bases = {c.basis for lines in charges.values() for c in lines}
    common = Charge.Basis.COMMON_HOUSE in bases
    out = {}
    if common or bases & set(NORM_BASES):
        out["norms"] = common_use.norms(period)
    if common:
        out["houses"] = common_use.houses(period, sorted({b.account.premises.building_id for b in balances}))
    return out


def receipts_assembled(period: BillingPeriod, sources: issued.Sources) -> list[Receipt]:
    """The receipts made of their sources, from the register or from the issued documents alike."""
    # Payments up to the month's end, or up to the day of an early publication: never a day still to come.
    paid_until = cycle_guard.paid_until(period, sources.organisation)
    # get_basis_display() builds the choices' lazy labels on every call: most of the reading time (measured).
    basis_labels = {value: str(label) for value, label in Charge.Basis.choices}
    out = []
    for b in sources.balances:
        recalcs = sources.recalculations.get(b.account_id, [])
        charges = sources.charges.get(b.account_id, [])
        lines, meters = _lines(charges, recalcs, basis_labels, month_end(period.month))
        for line in lines:
            line.last_year = sources.last_year.get((b.account_id, line.service_id))
        house = _house(charges, sources, b.account.premises.building_id)
        _norms(lines, charges, sources.norms, {row.service for row in house if not row.meter})
        out.append(
            Receipt(
                account=b.account,
                organisation=sources.organisation,
                period=b.period,
                balance=b,
                lines=lines,
                meters=meters,
                recalculations=recalcs,
                penalty=sources.penalties.get(b.account_id, ZERO),
                paid_until=paid_until,
                last_payment_on=sources.last_payments.get(b.account_id),
                due_date=sources.due_date,
                number=sources.number(b.account, b.period),
                gis_document_id=sources.gis_ids.get(b.account_id, ""),
                house=house,
            )
        )
    if out:
        sections = payee_sections.sections_for(
            period, [r.account.pk for r in out], sources.organisation, sources.services
        )
        for r in out:
            r.payees = sections.get(r.account.pk, [])
    return out


def _house(charges: list[Charge], sources: issued.Sources, building_id: int) -> list[HouseRow]:
    """A row per common-house line: the house meter's reading and volume, the premises' total, the common part."""
    rows = []
    for c in charges:
        if c.basis != Charge.Basis.COMMON_HOUSE:
            continue
        figures = sources.houses.get((building_id, c.service.resource)) or common_use.House()
        metered = bool(figures.meter) and c.house_volume is not None
        rows.append(
            HouseRow(
                service=c.service.name,
                unit=c.service.unit,
                meter=figures.meter,
                reading=figures.reading,
                house_volume=c.house_volume + figures.individual if metered else None,
                individual=figures.individual,
                common=c.house_volume,
            )
        )
    return rows


NORM_BASES = (Charge.Basis.NORM, Charge.Basis.NORM_FACTOR)


def _norms(lines: list[Line], charges: list[Charge], norms: dict, common_by_norm: set[str]) -> None:
    """The норматив and its unit on each line charged by it: by норматив (with or without the factor), and
    common-house needs of a house without a house meter."""
    by_norm = {c.service_id for c in charges if c.basis in NORM_BASES}
    for line in lines:
        norm = norms.get(line.service_id)
        if norm is not None and (line.service_id in by_norm or line.service in common_by_norm):
            line.norm, line.norm_unit = norm.value, common_use.norm_unit(norm, line.unit)


def _last_year_charges(period: BillingPeriod, ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """Charged per (account, service) in the same month a year earlier, if that period is published (one query
    for the whole chunk)."""
    rows = (
        Charge.objects.filter(
            account_id__in=ids,
            period__organisation_id=period.organisation_id,
            period__month=add_months(period.month, -12),
            period__state=PUBLISHED,
        )
        .order_by()
        .values("account_id", "service_id")
        .annotate(charged=Sum("amount"))
        .values_list("account_id", "service_id", "charged")
    )
    return {(account_id, service_id): charged for account_id, service_id, charged in rows}


def _lines(
    charges: list[Charge], recalcs: list[Recalculation], basis_labels: dict[str, str], last_day: dt.date
) -> tuple[list[Line], list[MeterRow]]:
    """One line per service (a service billed by several meters adds up), and the meters' readings."""
    lines: dict[int, Line] = {}
    meters = []
    for c in charges:
        line = lines.get(c.service_id)
        if line is None:
            line = lines[c.service_id] = Line(
                service_id=c.service_id,
                service=c.service.name,
                unit=c.service.unit,
                price=c.price,
                basis=basis_labels.get(c.basis, c.basis),
                volume=ZERO,
                common_volume=ZERO,
                charged=ZERO,
                factor=c.factor,
                factor_excess=ZERO,
            )
        line.basis_note = line.basis_note or _expired_note(c, last_day)
        if c.basis == Charge.Basis.COMMON_HOUSE:
            line.common_volume += c.volume
        else:
            line.volume += c.volume
        line.charged += c.amount
        line.factor_excess += c.factor_excess
        if c.meter_id:
            meters.append(
                MeterRow(
                    service=c.service.name,
                    serial=c.meter.serial_number,
                    unit=c.service.unit,
                    previous=c.previous_value,
                    current=c.current_value,
                    volume=c.volume,
                )
            )
    for r in recalcs:
        if r.service_id in lines:
            lines[r.service_id].recalculated += r.amount
    return list(lines.values()), meters


def _expired_note(charge: Charge, last_day: dt.date) -> str:
    """A meter's line estimated because its verification ended before the month's last day: the close did not
    count the month's reading (ПП РФ №354, п.81(12) «д»; by the average, then the norm: п.59, п.60)."""
    if not charge.meter_id or charge.basis not in (Charge.Basis.AVERAGE, Charge.Basis.NORM):
        return ""
    due = charge.meter.verification_due
    if due >= last_day:
        return ""
    return (
        f"Прибор № {charge.meter.serial_number}: срок поверки истёк {ru_date(due)}, показания не приняты к расчёту, "
        f"начислено {'по среднему' if charge.basis == Charge.Basis.AVERAGE else 'по нормативу'} "
        "(ПП РФ №354, п.59, п.60)."
    )
