"""The cap on one card payment: a subscriber may pay ahead, but an amount far above the debt is a typo (an extra
zero) or an attack on the ledger, and is refused before anything is created.

Cap per account = max(debt × PAYMENTS_MAX_DEBT_MULTIPLE, PAYMENTS_MAX_AMOUNT_FLOOR): 3 × the debt, and never less
than 30 000 ₽, so an account with no debt can still pay several months ahead."""

from decimal import Decimal

from django.conf import settings

from abonent.lib.numbers import money, round_money


def max_amount(debt: Decimal) -> Decimal:
    multiple = Decimal(settings.PAYMENTS_MAX_DEBT_MULTIPLE)
    floor = Decimal(settings.PAYMENTS_MAX_AMOUNT_FLOOR)
    return round_money(max(max(debt, Decimal("0")) * multiple, floor))


def refusal(*, number: str, amount: Decimal, debt: Decimal) -> str | None:
    """The Russian message refusing `amount` for account `number`, or None when it is within the cap."""
    cap = max_amount(debt)
    if amount <= cap:
        return None
    return (
        f"Л/С № {number}: сумма {money(amount)} намного больше задолженности ({money(max(debt, Decimal(0)))}). "
        f"За один платёж можно внести не больше {money(cap)}."
    )
