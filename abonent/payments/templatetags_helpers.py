from decimal import Decimal


def money_text(value: Decimal) -> str:
    """123.45 → "123,45", the way the payer types it."""
    return f"{value:.2f}".replace(".", ",")
