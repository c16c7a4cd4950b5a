"""The payment QR code of ГОСТ Р 56042-2014 (RULES.md): a header, then Key=Value pairs in a fixed order.

Banking apps read the mandatory block (Name, PersonalAcc, BankName, BIC, CorrespAcc) first and some expect
KPP, PayeeINN, Purpose, Sum right after it, so the order here is fixed and tested.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

import segno

HEADER = "ST0001"
UTF8 = "2"
# Tried in order when a value contains the separator; the standard allows any character not in the values.
SEPARATORS = "|#;:^~"
LIMITS = {"Name": 160, "BankName": 45, "Purpose": 160, "PayerAddress": 160, "PersAcc": 30}


class QRError(ValueError):
    pass


@dataclass(frozen=True)
class Payment:
    name: str
    personal_acc: str
    bank_name: str
    bic: str
    corresp_acc: str
    payee_inn: str
    kpp: str
    purpose: str
    total: Decimal
    pers_acc: str
    paym_period: str  # MMYYYY
    payer_address: str = ""
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""


def _digits(key: str, value: str, length: int) -> str:
    if len(value) != length or not value.isdigit():
        raise QRError(f"{key}: нужно {length} цифр, получено {value!r}")
    return value


def kopecks(total: Decimal) -> str:
    """Sum in kopecks, digits only; nothing to pay is 0 (a negative total is an advance, not a payment)."""
    return str(max(int((total * 100).quantize(Decimal("1"))), 0))


def fields(p: Payment) -> list[tuple[str, str]]:
    pairs = [
        ("Name", p.name),
        ("PersonalAcc", _digits("PersonalAcc", p.personal_acc, 20)),
        ("BankName", p.bank_name),
        ("BIC", _digits("BIC", p.bic, 9)),
        ("CorrespAcc", _digits("CorrespAcc", p.corresp_acc, 20)),
        ("KPP", p.kpp),
        ("PayeeINN", p.payee_inn),
        ("Purpose", p.purpose),
        ("Sum", kopecks(p.total)),
        ("PersAcc", p.pers_acc),
        ("PaymPeriod", p.paym_period),
        ("PayerAddress", p.payer_address),
        ("LastName", p.last_name),
        ("FirstName", p.first_name),
        ("MiddleName", p.middle_name),
        ("TechCode", "02"),  # 02 = ЖКХ
    ]
    out = []
    for key, value in pairs:
        value = " ".join(value.split())  # no line breaks inside a value
        if not value:
            continue
        limit = LIMITS.get(key)
        if limit and len(value) > limit:
            value = value[:limit]  # banks refuse the whole code if a field is too long; a cut name still pays
        out.append((key, value))
    return out


def payload(p: Payment) -> str:
    pairs = fields(p)
    text = "".join(v for _, v in pairs)
    separator = next((s for s in SEPARATORS if s not in text), None)
    if separator is None:
        raise QRError("Нет свободного символа-разделителя")
    return HEADER + UTF8 + separator + separator.join(f"{k}={v}" for k, v in pairs)


def parse(text: str) -> dict[str, str]:
    """The pairs of a payload (for tests and for checking a decoded image)."""
    if not text.startswith(HEADER):
        raise QRError("Нет заголовка ST0001")
    separator = text[7]
    return dict(part.split("=", 1) for part in text[8:].split(separator))


def make(text: str) -> segno.QRCode:
    """Error correction M. The mask is fixed: searching the best of eight takes most of a receipt's time (measured,
    bench/receipts.py), and any mask is valid; decoders read it from the format information."""
    return segno.make(text, error="m", micro=False, encoding="utf-8", boost_error=False, mask=MASK)


MASK = 2


def png(text: str, *, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    make(text).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def dark_runs(text: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The symbol as horizontal runs of dark modules (row, first column, length) and its size in modules, for
    drawing as vector rectangles (sharper in print and faster than embedding an image)."""
    matrix = make(text).matrix
    odd = bytes(i & 1 for i in range(256))  # a module is dark when its lowest bit is set
    runs = []
    for y, row in enumerate(matrix):
        row = bytes(row).translate(odd)
        x, n = row.find(1), len(row)
        while x >= 0:
            end = row.find(0, x)
            if end < 0:
                end = n
            runs.append((y, x, end - x))
            x = row.find(1, end)
    return len(matrix), runs
