"""The payment QR code of ГОСТ Р 56042-2014 (docs/BILLING.md, «Платёжный QR-код»): a header, then Key=Value pairs in a fixed order.

Banking apps read the mandatory block (Name, PersonalAcc, BankName, BIC, CorrespAcc) first and some expect
KPP, PayeeINN, Purpose, Sum right after it, so the order here is fixed and tested.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import itemgetter

from PIL import Image

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


# The symbol (ISO/IEC 18004) for the one case a receipt needs: the UTF-8 bytes as a single byte-mode segment
# without an ECI (the ГОСТ header says UTF-8; readers take byte mode as UTF-8 when the bytes are valid UTF-8), error
# correction level M, and a fixed mask. segno wrote the same symbols in ≈ 9 ms of pure Python per receipt, half of
# a receipt's time (bench/receipts.py); here everything that depends only on the version (function patterns, the
# order of the data modules, the mask) is laid out once per version, and a symbol is a few operations on big
# integers and strings. Tests check it module for module against segno at each version's full capacity (below it
# segno writes one more zero byte before the padding), and read every version back with zxing-cpp.

MASK = 2  # any mask is valid (readers take it from the format information); searching the best of eight is slow
# Level M, versions 1–40: error correction codewords per block and the number of blocks (ISO/IEC 18004, table 9).
EC_PER_BLOCK = (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26)
EC_PER_BLOCK += (26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28)
BLOCKS = (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16)
BLOCKS += (17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49)
LEVEL_M = 0b00
BYTE_MODE = 0b0100
PADDING = b"\xec\x11"


def _gf_tables() -> tuple[list[int], list[int]]:
    """Exponents and logarithms of GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1."""
    exp, log = [0] * 512, [0] * 256
    value = 1
    for i in range(255):
        exp[i] = exp[i + 255] = value
        log[value] = i
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    return exp, log


_EXP, _LOG = _gf_tables()


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@cache
def _generator_multiples(degree: int) -> tuple[int, ...]:
    """The Reed–Solomon generator of `degree` (its leading 1 dropped) times each byte value, as integers of
    `degree` bytes: one division step is then a shift and an XOR of whole integers."""
    generator = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            generator[j] = _mul(generator[j], root)
            if j + 1 < degree:
                generator[j] ^= generator[j + 1]
        root = _mul(root, 2)
    return tuple(int.from_bytes(bytes(_mul(c, factor) for c in generator), "big") for factor in range(256))


def _error_correction(data: bytes, degree: int) -> bytes:
    multiples = _generator_multiples(degree)
    top, keep = 8 * (degree - 1), (1 << 8 * degree) - 1
    remainder = 0
    for byte in data:
        remainder = ((remainder << 8) & keep) ^ multiples[byte ^ (remainder >> top)]
    return remainder.to_bytes(degree, "big")


def _data_modules(version: int) -> int:
    """Modules left for codewords once the function patterns are drawn."""
    count = (16 * version + 128) * version + 64
    if version >= 2:
        aligns = version // 7 + 2
        count -= (25 * aligns - 10) * aligns - 55
        if version >= 7:
            count -= 36
    return count


def _alignment_positions(version: int, size: int) -> list[int]:
    if version == 1:
        return []
    aligns = version // 7 + 2
    step = (version * 8 + aligns * 3 + 5) // (aligns * 4 - 4) * 2
    return [6] + [size - 7 - i * step for i in range(aligns - 2, -1, -1)]


def _data_codewords(version: int) -> int:
    return _data_modules(version) // 8 - EC_PER_BLOCK[version - 1] * BLOCKS[version - 1]


def _bch(value: int, bits: int, generator: int) -> int:
    """`value` followed by its BCH check bits (format and version information)."""
    remainder = value
    for _ in range(bits):
        remainder = (remainder << 1) ^ ((remainder >> (bits - 1)) * generator)
    return value << bits | remainder


@dataclass(frozen=True)
class _Layout:
    version: int
    size: int
    bits: int  # data modules: codeword bits and the remainder bits
    modules: Callable  # picks the symbol, row by row, from codeword bits + the same bits inverted + "01"


Put = Callable[[int, int, int], None]  # marks module (x, y) as a function module, dark or light


@cache
def _layout(version: int) -> _Layout:
    """Function patterns, format and version information, and where each data bit goes (masked or not)."""
    size = 17 + 4 * version
    dark = bytearray(size * size)
    function = bytearray(size * size)

    def put(x: int, y: int, on: int) -> None:
        function[y * size + x], dark[y * size + x] = 1, on

    _timing_patterns(size, put)
    _finders(size, put)
    _alignment_patterns(version, size, put)
    _format_information(size, put)
    if version >= 7:
        _version_information(version, size, put)
    order = _placement_order(size, function)
    bits = len(order)
    assert bits == _data_modules(version)
    source = [2 * bits + dark[i] for i in range(size * size)]
    for placed, i in enumerate(order):
        source[i] = placed + bits if (i % size) % 3 == 0 else placed  # mask 2: columns divisible by 3 inverted
    return _Layout(version=version, size=size, bits=bits, modules=itemgetter(*source))


def _timing_patterns(size: int, put: Put) -> None:
    for i in range(size):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)


def _finders(size: int, put: Put) -> None:
    """The three finder patterns with their separators."""
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                if 0 <= cx + dx < size and 0 <= cy + dy < size:
                    put(cx + dx, cy + dy, max(abs(dx), abs(dy)) not in (2, 4))


def _alignment_patterns(version: int, size: int, put: Put) -> None:
    positions = _alignment_positions(version, size)
    last = len(positions) - 1
    for i, cx in enumerate(positions):
        for j, cy in enumerate(positions):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue  # not over a finder
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1)


def _format_information(size: int, put: Put) -> None:
    """Level M and the mask, twice: around the top-left finder and split between the other two; the dark module."""
    fmt = _bch(LEVEL_M << 3 | MASK, 10, 0x537) ^ 0x5412
    bit = [(fmt >> i) & 1 for i in range(15)]
    for i in range(6):
        put(8, i, bit[i])
    put(8, 7, bit[6])
    put(8, 8, bit[7])
    put(7, 8, bit[8])
    for i in range(9, 15):
        put(14 - i, 8, bit[i])
    for i in range(8):
        put(size - 1 - i, 8, bit[i])
    for i in range(8, 15):
        put(8, size - 15 + i, bit[i])
    put(8, size - 8, 1)  # the dark module


def _version_information(version: int, size: int, put: Put) -> None:
    """Versions 7 and up carry their number in two 6×3 blocks next to the top-right and bottom-left finders."""
    info = _bch(version, 12, 0x1F25)
    for i in range(18):
        a, b = size - 11 + i % 3, i // 3
        put(a, b, (info >> i) & 1)
        put(b, a, (info >> i) & 1)


def _placement_order(size: int, function: bytearray) -> list[int]:
    """Data modules in placement order: two columns at a time, up and down, right to left."""
    order = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1  # skip the vertical timing pattern
        upward = (right + 1) & 2 == 0
        for step in range(size):
            y = size - 1 - step if upward else step
            for x in (right, right - 1):
                if not function[y * size + x]:
                    order.append(y * size + x)
    return order


def _version(length: int) -> int:
    for version in range(1, 41):
        header = 4 + (8 if version < 10 else 16)
        if header + 8 * length <= 8 * _data_codewords(version):
            return version
    raise QRError("Слишком много данных для QR-кода")


def _codewords(data: bytes, version: int) -> bytes:
    """Byte-mode segment, terminator, padding; split into blocks; each block's error correction; interleaved."""
    count_bits = 8 if version < 10 else 16
    capacity = _data_codewords(version)
    stream = ((BYTE_MODE << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")) << 4
    body = stream.to_bytes((4 + count_bits + 8 * len(data) + 4) // 8, "big")
    body += PADDING * ((capacity - len(body)) // 2 + 1)
    body = body[:capacity]
    ec, blocks = EC_PER_BLOCK[version - 1], BLOCKS[version - 1]
    total = _data_modules(version) // 8
    short = total // blocks - ec  # data codewords of a short block; the last total % blocks blocks have one more
    longer = total % blocks
    parts, start = [], 0
    for b in range(blocks):
        length = short + (b >= blocks - longer)
        parts.append(body[start : start + length])
        start += length
    out = bytearray()
    for i in range(short + 1):
        out.extend(part[i] for part in parts if i < len(part))
    checks = [_error_correction(part, ec) for part in parts]
    for i in range(ec):
        out.extend(check[i] for check in checks)
    return bytes(out)


FLIP = str.maketrans("01", "10")


def matrix(text: str) -> list[str]:
    """The symbol's rows as strings of "1" (dark) and "0" (light), without the quiet zone."""
    data = text.encode("utf-8")
    layout = _layout(_version(len(data)))
    codewords = _codewords(data, layout.version)
    bits = format(int.from_bytes(codewords, "big"), f"0{8 * len(codewords)}b").ljust(layout.bits, "0")
    flat = "".join(layout.modules(bits + bits.translate(FLIP) + "01"))
    size = layout.size
    return [flat[y * size : (y + 1) * size] for y in range(size)]


def png(text: str, *, scale: int = 4, border: int = 4) -> bytes:
    rows = matrix(text)
    size = len(rows) + 2 * border
    light = "0" * border
    pixels = "".join(light + row + light for row in ["0" * len(rows)] * border + rows + ["0" * len(rows)] * border)
    image = Image.frombytes("L", (size, size), pixels.translate(PIXELS).encode("latin-1"))
    buf = io.BytesIO()
    image.resize((size * scale, size * scale), Image.Resampling.NEAREST).convert("1").save(buf, format="PNG")
    return buf.getvalue()


PIXELS = str.maketrans("01", "\xff\x00")
