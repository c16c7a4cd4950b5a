"""Checks of Russian requisites: ИНН, КПП, ОГРН, БИК and bank accounts with their control keys.

The algorithms are the Central Bank's and the Tax Service's published ones; each raises ValidationError
with a Russian message, so forms and model.clean() show it next to the field.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
ACCOUNT_WEIGHTS = (7, 1, 3) * 7 + (7, 1)  # 23 positions: 3 digits of the БИК + 20 of the account


def _digits(value: str, lengths: tuple[int, ...], what: str) -> str:
    value = (value or "").strip()
    if not value.isdigit() or len(value) not in lengths:
        sizes = " или ".join(str(n) for n in lengths)
        raise ValidationError(_("%(what)s должен состоять из %(sizes)s цифр.") % {"what": what, "sizes": sizes})
    return value


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def inn_is_valid(value: str) -> bool:
    if len(value) == 10:
        return (_weighted(value, INN10_WEIGHTS) % 11) % 10 == int(value[9])
    check11 = (_weighted(value, INN12_WEIGHTS_11) % 11) % 10
    check12 = (_weighted(value, INN12_WEIGHTS_12) % 11) % 10
    return check11 == int(value[10]) and check12 == int(value[11])


def validate_inn(value: str) -> None:
    value = _digits(value, (10, 12), _("ИНН"))
    if not inn_is_valid(value):
        raise ValidationError(_("ИНН введён с ошибкой: не сходится контрольное число."))


def validate_kpp(value: str) -> None:
    _digits(value, (9,), _("КПП"))


def validate_ogrn(value: str) -> None:
    value = _digits(value, (13, 15), _("ОГРН"))
    modulus = 11 if len(value) == 13 else 13
    if int(value[:-1]) % modulus % 10 != int(value[-1]):
        raise ValidationError(_("ОГРН введён с ошибкой: не сходится контрольное число."))


def validate_bik(value: str) -> None:
    _digits(value, (9,), _("БИК"))


def account_key_is_valid(account: str, bik: str, *, correspondent: bool) -> bool:
    # A settlement account is keyed with the last three digits of the БИК; a correspondent account
    # with "0" and the 5th and 6th digits of the БИК (the bank's code at the Central Bank).
    prefix = ("0" + bik[4:6]) if correspondent else bik[-3:]
    return _weighted(prefix + account, ACCOUNT_WEIGHTS) % 10 == 0


def validate_account_number(value: str) -> None:
    _digits(value, (20,), _("Номер счёта"))


def validate_settlement_account(account: str, bik: str) -> None:
    account = _digits(account, (20,), _("Расчётный счёт"))
    if bik and bik.isdigit() and len(bik) == 9 and not account_key_is_valid(account, bik, correspondent=False):
        raise ValidationError(_("Расчётный счёт не соответствует БИК банка: проверьте оба номера."))


def validate_correspondent_account(account: str, bik: str) -> None:
    account = _digits(account, (20,), _("Корреспондентский счёт"))
    if not account.startswith("301"):
        raise ValidationError(_("Корреспондентский счёт банка начинается с 301."))
    if bik and bik.isdigit() and len(bik) == 9 and not account_key_is_valid(account, bik, correspondent=True):
        raise ValidationError(_("Корреспондентский счёт не соответствует БИК банка: проверьте оба номера."))


def bank_details_errors(obj) -> dict[str, list[str]]:
    """The Russian errors of an object's bank accounts checked against its БИК, by field: one rule for the
    organisation and for every supplier whose services it bills."""
    errors = {}
    for field, check in (
        ("settlement_account", validate_settlement_account),
        ("correspondent_account", validate_correspondent_account),
    ):
        try:
            check(getattr(obj, field), obj.bik)
        except ValidationError as exc:
            errors[field] = exc.messages
    return errors


# --- generators: the demo data and tests need requisites that pass the checks above ---
def inn_with_check(first_nine: str) -> str:
    """A 10-digit ИНН of a legal entity from its first nine digits."""
    return first_nine + str((_weighted(first_nine, INN10_WEIGHTS) % 11) % 10)


def account_with_key(bik: str, account: str, *, correspondent: bool = False) -> str:
    """The 20-digit account with its control digit (the 9th) set to match the БИК."""
    prefix = ("0" + bik[4:6]) if correspondent else bik[-3:]
    for key in "0123456789":
        candidate = account[:8] + key + account[9:20]
        if _weighted(prefix + candidate, ACCOUNT_WEIGHTS) % 10 == 0:
            return candidate
    raise ValueError("no control key fits")  # cannot happen: weight 3 at the key cycles all residues
