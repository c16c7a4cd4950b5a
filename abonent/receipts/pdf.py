"""An A4 ЕПД with fpdf2: DejaVu embedded (Cyrillic, extractable text) and the payment QR code.

fpdf2 was measured against the alternatives (docs/BENCHMARKS.md, «Receipts»): pure Python, no system libraries, a receipt in a few
milliseconds once the font is parsed. The font is parsed once per process and reused (the slow part).
"""

import os
import re
import zlib
from decimal import Decimal
from functools import cache, lru_cache
from itertools import groupby
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.util import escape_parens

from abonent.lib.dates import ru_date
from abonent.lib.numbers import money, rate, ru_decimal, ru_number, volume

from . import pdf_split, qr
from .selectors import Receipt

FONT_DIR = Path(getattr(settings, "RECEIPT_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT = "DejaVu"
# The whole DejaVu, added to a document only when one of its texts has a character the subset lacks (a payer
# «Əliyev», a Greek letter): those characters are drawn in it, not dropped; the others stay in the subset.
FALLBACK = "DejaVuFull"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# What a receipt can contain: Latin, Latin-1 and Latin Extended-A, Cyrillic, punctuation («», –, —, …, №, ₽),
# letterlike symbols and a few mathematical signs. The full DejaVu (6 000 glyphs) takes ~110 ms to parse per
# document, the subset a third of that (measured, bench/receipts.py); dropping the arrows and the other operators
# (1 326 → 873 glyphs) took a one-receipt PDF from ≈ 88 to ≈ 73 ms of CPU.
UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x400, 0x530),
    *range(0x2010, 0x2060),
    *range(0x20A0, 0x20C0),
    *range(0x2100, 0x2150),  # letterlike symbols (№)
    *(0x2212, 0x2248, 0x2260, 0x2264, 0x2265),  # − ≈ ≠ ≤ ≥: every glyph more is parsed and subset per document
]


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The subset fonts, made once per machine under var/fonts (atomically: several workers may race)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    cache = Path(settings.VAR_DIR) / "fonts"
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for style, name in FONT_FILES.items():
        source = FONT_DIR / name
        stat = source.stat()
        key = zlib.crc32(repr(UNICODES).encode())
        target = cache / f"{source.stem}-{stat.st_size}-{int(stat.st_mtime)}-{key:08x}.ttf"
        if not target.exists():
            font = TTFont(source)
            subsetter = subset.Subsetter(subset.Options(drop_tables=["FFTM"]))
            subsetter.populate(unicodes=UNICODES)
            subsetter.subset(font)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(partial)
            os.replace(partial, target)
        out[style] = target
    return out


def _v(value: Decimal | None) -> str:
    return "" if value is None else volume(value)


class ReceiptPDF(FPDF):
    def __init__(self):
        super().__init__(format="A4", unit="mm")
        self.set_auto_page_break(True, margin=10)
        self.set_margins(10, 10, 10)
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_creator("Абонент")
        self.set_compression(True)
        # Per (style, text) in this document: the width in font units and the glyph string. A merged batch
        # repeats most texts (headings, services, labels) on every page; the subset map is the document's own.
        self.text_units: dict[tuple[str, str], int] = {}
        self.glyph_strings: dict[tuple[str, str], str] = {}
        self.layouts: dict[tuple[str, float, float, str], tuple[float, tuple[str, ...]]] = {}
        self.runs: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}


def _font(pdf: ReceiptPDF, family: str, style: str):
    return pdf.fonts[family.lower() + style]


def _runs(pdf: ReceiptPDF, text: str, style: str) -> tuple[tuple[str, str], ...]:
    """`text` as (family, part) runs: the subset font for what it has, the full font (loaded on first need, once a
    document) for the rest. Nearly every text is one run of the subset; cached per document like the widths."""
    runs = pdf.runs.get((style, text))
    if runs is None:
        cmap = _font(pdf, FONT, style).cmap
        if all(ord(c) in cmap for c in text):
            runs = ((FONT, text),)
        else:
            if FALLBACK.lower() + style not in pdf.fonts:
                pdf.add_font(FALLBACK, style, str(FONT_DIR / FONT_FILES[style]))
            family = lambda c: FONT if ord(c) in cmap else FALLBACK  # noqa: E731
            runs = tuple((name, "".join(part)) for name, part in groupby(text, key=family))
        pdf.runs[style, text] = runs
    return runs


def _units(pdf: ReceiptPDF, text: str, style: str) -> int:
    units = pdf.text_units.get((style, text))
    if units is None:
        units = 0
        for family, part in _runs(pdf, text, style):
            cw = _font(pdf, family, style).cw
            units += sum(cw[ord(c)] for c in part)
        pdf.text_units[style, text] = units
    return units


def _glyphs(pdf: ReceiptPDF, text: str, style: str, family: str = FONT) -> str:
    """`text` (one run) as the font's glyph ids for a Tj operator; picking them puts them in the document's subset
    of that font."""
    glyphs = pdf.glyph_strings.get((family + style, text))
    if glyphs is None:
        pick = _font(pdf, family, style).subset.pick
        mapped = "".join(chr(i) for i in map(pick, map(ord, text)) if i)
        glyphs = escape_parens(mapped.encode("utf-16-be").decode("latin-1"))
        pdf.glyph_strings[family + style, text] = glyphs
    return glyphs


def _width(pdf: ReceiptPDF, text: str, style: str, size: float) -> float:
    """The width of `text` in mm (FPDF.get_string_width without its per-call text preprocessing)."""
    return _units(pdf, text, style) * size * 0.001 / pdf.k


# A cell's text shrinks down to MIN_SIZE before a word would overflow; lines are LEADING font sizes apart.
MIN_SIZE = 4.0
LEADING = 1.15


def _layout(pdf: ReceiptPDF, text: str, w: float, style: str, size: float) -> tuple[float, tuple[str, ...]]:
    """The size and lines of `text` in a cell `w` mm wide: wrapped at spaces, never within a word nor at a
    no-break space (an amount "-1 636,45 ₽" is one word), the size lowered until the longest word fits: no figure
    or heading is ever cut. Cached per document like the widths."""
    key = (style, size, w, text)
    found = pdf.layouts.get(key)
    if found is None:
        room = w - 2 * pdf.c_margin
        words = text.split(" ")
        while size > MIN_SIZE and max(_width(pdf, word, style, size) for word in words) > room:
            size = round(size - 0.25, 2)
        lines, line = [], ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and _width(pdf, candidate, style, size) > room:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
        found = pdf.layouts[key] = (size, tuple(lines))
    return found


def _row(pdf: ReceiptPDF, cells, *, h: float = 4.2, border: bool = True) -> None:
    """A table row of bordered cells from the left margin, written as raw PDF operators: one path for the
    borders and one text object. FPDF.cell does the same with a line-breaking and styling pass per cell, which
    was half of a receipt's time (measured, bench/receipts.py). `cells` are (width, text, align "L"/"R", style
    "" or "B", size in pt); a text too long for its cell wraps (the row grows), a word too wide gets a smaller
    size (_layout). The glyphs go through the font's subset map, so the subset on output keeps them and the text
    stays extractable."""
    k = pdf.k
    laid = [
        (w, _layout(pdf, value, w, style, size) if value else (size, ()), align, style)
        for w, value, align, style, size in cells
    ]
    h = max([h, *(len(lines) * size * LEADING / k + 1 for _, (size, lines), _, _ in laid if len(lines) > 1)])
    pdf._perform_page_break_if_need_be(h)
    x, top = pdf.l_margin, pdf.h - pdf.y
    borders, text = [], ["BT"]
    current = None
    for w, (size, lines), align, style in laid:
        borders.append(f"{x * k:.2f} {top * k:.2f} {w * k:.2f} {-h * k:.2f} re")
        if lines:
            if current != (style, size):
                current = (style, size)
                text.append(_set_font(pdf, style, size))
            text.extend(_cell_text(pdf, lines, x, top, w, h, align, style, size))
        x += w
    if border:
        pdf._out(" ".join(borders) + " S")
    if len(text) > 1:
        text.append("ET")
        pdf._out(" ".join(text))
    pdf.current_font_is_set_on_page = False  # the text object changed the font: FPDF sets its own again
    pdf.x = pdf.l_margin
    pdf.y += h
    pdf.lasth = h


def _set_font(pdf: ReceiptPDF, style: str, size: float, family: str = FONT) -> str:
    font = _font(pdf, family, style)
    pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)
    if size > font.biggest_size_pt:
        font.biggest_size_pt = size
    return f"/F{font.i} {size:.2f} Tf"


def _cell_text(pdf: ReceiptPDF, lines, x: float, top: float, w: float, h: float, align: str, style: str, size: float):
    """The cell's lines, centred as a block in the row's height (one line: where a single-line row has it)."""
    k, c_margin = pdf.k, pdf.c_margin
    step = size * LEADING / k
    first = top - 0.5 * h + 0.5 * step * (len(lines) - 1) - 0.3 * size / k
    for i, value in enumerate(lines):
        dx = w - c_margin - _width(pdf, value, style, size) if align == "R" else c_margin
        yield f"1 0 0 1 {(x + dx) * k:.2f} {(first - i * step) * k:.2f} Tm {_shown(pdf, value, style, size)}"


def _shown(pdf: ReceiptPDF, text: str, style: str, size: float) -> str:
    """The Tj operators of a line: one in the subset font, or one a run when some characters need the full font
    (which is set for its run and the subset font set back after it)."""
    runs = _runs(pdf, text, style)
    if len(runs) == 1 and runs[0][0] == FONT:
        return f"({_glyphs(pdf, text, style)}) Tj"
    ops = []
    for family, part in runs:
        shown = f"({_glyphs(pdf, part, style, family)}) Tj"
        if family == FONT:
            ops.append(shown)
        else:
            ops += [_set_font(pdf, style, size, family), shown, _set_font(pdf, style, size)]
    return " ".join(ops)


@cache
def _chunk_rectangles(first: int) -> tuple[str, ...]:
    """The dark runs of each of the 256 patterns of 8 modules from column `first`, as rectangles in module units,
    the row left as a NUL to fill in."""
    out = []
    for value in range(256):
        runs = DARK_RUN.finditer(format(value, "08b"))
        out.append("".join(f"{first + run.start()} \0 {run.end() - run.start()} 1 re " for run in runs))
    return tuple(out)


DARK_RUN = re.compile("1+")


def _qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    """The symbol as one vector path (sharper in print than an image) of raw `re` operators in module units, under
    a matrix that maps a module to its place on the page. Each row is cut into bytes of 8 modules whose rectangles
    come from a table: FPDF.rect per run made the QR 80 % of a receipt's time, and formatting each run a sixth of
    it still (measured, bench/receipts.py). A run across two bytes is two adjacent rectangles of the same path."""
    rows = qr.matrix(text)
    modules, quiet = len(rows), 4
    width = (modules + 7) // 8
    tables = [_chunk_rectangles(8 * i) for i in range(width)]
    pad = "0" * (8 * width - modules)
    ops = []
    for row_number, row in enumerate(rows):
        chunks = int(row + pad, 2).to_bytes(width, "big")
        ops.append(
            "".join([table[chunk] for table, chunk in zip(tables, chunks, strict=True)]).replace("\0", str(row_number))
        )
    step = size / (modules + 2 * quiet)
    k, height = pdf.k, pdf.h
    origin_x, origin_y = (x + quiet * step) * k, (height - y - quiet * step) * k
    pdf._out(f"q 0 g {step * k:.4f} 0 0 {-step * k:.4f} {origin_x:.3f} {origin_y:.3f} cm {''.join(ops)}f Q")


def draw(pdf: FPDF, r: Receipt) -> None:
    """One ЕПД page (ПП РФ №354, п.69; форма ЕПД, приказ Минстроя № 43/пр): docs/BILLING.md lists its parts."""
    pdf.add_page()
    _header(pdf, r)
    _services(pdf, r)
    _instalment_offer(pdf, r)
    _totals(pdf, r)
    _payees(pdf, r)
    _common_use(pdf, r)
    _meters(pdf, r)
    _recalculations(pdf, r)


def _text(pdf: FPDF, text: str, *, size: float = 8, style: str = "", w: float = 190, h: float = 3.8) -> None:
    """A line of text from the left margin, wrapped when too long (a borderless row: raw operators, fast)."""
    _row(pdf, [(w, text, "L", style, size)], h=h, border=False)


def _heading(pdf: FPDF, text: str) -> None:
    _text(pdf, text, size=8, style="B", h=5)


def _gis_ids(account) -> str:
    """The identifiers ГИС ЖКХ assigned to the account (imported by abonent.exchange), when it has them."""
    ids = [f"ЕЛС {account.els}"] if account.els else []
    ids += [f"ИЖКУ {account.igku}"] if account.igku else []
    return f" ({'; '.join(ids)})" if ids else ""


def _header(pdf: FPDF, r: Receipt) -> None:
    """The document, the payer and the payee, the payment QR code at the right, and the two
    totals: the period's and with the debt."""
    org, acc = r.organisation, r.account
    premises = acc.premises
    _text(pdf, f"Платёжный документ (ЕПД) за {r.period_label}", size=11, style="B", h=6)
    top = pdf.get_y()
    lines = [
        f"№ платёжного документа: {r.number}"
        + (f" (идентификатор в ГИС ЖКХ {r.gis_document_id})" if r.gis_document_id else ""),
        f"Лицевой счёт: {acc.number}" + _gis_ids(acc),
        f"Плательщик: {acc.payer_name}",
        f"Адрес помещения: {premises.address}",
        f"Площадь общая: {ru_decimal(premises.total_area)} м²"
        + (f"; жилая: {ru_decimal(premises.living_area)} м²" if premises.living_area else "")
        + f"; зарегистрировано: {premises.residents}",
        f"Код активации для регистрации на портале: {acc.activation_code}",
        "",
        f"Получатель платежа: {org.name}",
        f"ИНН {org.inn}  КПП {org.kpp}",
        f"Адрес получателя: {r.payee_address}",
        f"Сайт: {org.website or '—'}",
        f"Тел.: {org.phone}  {org.email}",
        f"Р/с {org.settlement_account}  {org.bank_name}",
        f"БИК {org.bik}  К/с {org.correspondent_account}",
        f"Приём: {' '.join(org.office_hours.split())}",
    ]
    for line in lines:
        _text(pdf, line, w=150)
    _qr(pdf, r.qr_payload(), x=160, y=top, size=40)
    pdf.set_y(max(pdf.get_y(), top + 42) + 1)
    _row(pdf, [(150, f"К оплате за {r.period_label}", "L", "B", 9), (40, money(r.due_for_period), "R", "B", 9)])
    _row(pdf, [(150, TOTAL_LABEL, "L", "B", 9), (40, money(r.total), "R", "B", 9)], h=5)
    _text(pdf, f"Оплатить до {ru_date(r.due_date)}")
    own = r.organisation_section
    if r.direct_payees and own is not None:
        _text(
            pdf,
            f"QR-код справа — оплата {org.short_name}: {money(own.total)}. Услуги поставщиков, которым платят "
            "напрямую, оплачиваются по их реквизитам и QR-кодам в разделе «Получатели платежа».",
            size=7,
        )
    pdf.ln(2)


TOTAL_LABEL = "Итого к оплате с учётом задолженности"
# The services table (section 4): headings whole, wrapped at spaces; widths sum to the 190 mm of the page.
SERVICE_HEADS = (
    ("Услуга", 30),
    ("Ед. изм.", 9),
    ("Объём инд.", 13),
    ("Объём ОДН", 13),
    ("Норматив в месяц", 15),
    ("Способ расчёта", 20),
    ("Тариф", 14),
    ("Начислено", 15),
    ("Коэфф.", 10),
    ("Превышение", 17),
    ("Перерасчёты", 17),
    ("Итого", 17),
)
TEXT_COLUMNS = (0, 1, 4, 5)


def _services(pdf: FPDF, r: Receipt) -> None:
    _row(pdf, [(w, title, "L", "B", 6) for title, w in SERVICE_HEADS])
    for line in r.lines:
        values = (
            line.service,
            line.unit,
            _v(line.volume),
            _v(line.common_volume) if line.common_volume else "",
            f"{ru_number(line.norm)} {line.norm_unit}" if line.norm is not None else "",
            line.basis,
            rate(line.price),
            money(line.charged),
            ru_decimal(line.factor) if line.factor else "",
            money(line.factor_excess) if line.factor_excess else "",
            money(line.recalculated) if line.recalculated else "",
            money(line.total),
        )
        _row(
            pdf,
            [
                (w, value, "L" if i in TEXT_COLUMNS else "R", "", 6)
                for i, (value, (_, w)) in enumerate(zip(values, SERVICE_HEADS, strict=True))
            ],
        )
    notes = [line.basis_note for line in r.lines if line.basis_note]
    for note in notes:  # why a line is by the average or the norm: too long for its column
        _text(pdf, note, size=7, h=3.5)
    pdf.ln(2)


def _totals(pdf: FPDF, r: Receipt) -> None:
    """Section 5: from the opening balance to the total with the debt; benefits and subsidies always shown."""
    b = r.balance
    rows = (
        ("Задолженность (+) / аванс (−) на начало периода", b.opening, ""),
        ("Начислено за период", b.charged, ""),
        ("Перерасчёты", b.recalculated, ""),
        ("Льготы", r.benefits, ""),
        ("Субсидии", r.subsidies, ""),
        ("Пени", b.penalties, ""),
        ("К оплате за период (начислено + перерасчёты + пени − льготы − субсидии)", r.due_for_period, "B"),
        (f"Оплачено (платежи, поступившие по {ru_date(r.paid_until)} включительно)", b.paid, ""),
        ("Задолженность (+) / аванс (−) на конец периода", r.closing, ""),
        (TOTAL_LABEL, r.total, "B"),
    )
    for label, value, style in rows:
        _row(pdf, [(150, label, "L", style, 7), (40, money(value), "R", style, 7)])
    if r.last_payment_on:
        _text(pdf, f"Дата последней оплаты: {ru_date(r.last_payment_on)}", size=7, h=4)
    pdf.ln(2)


def _payees(pdf: FPDF, r: Receipt) -> None:
    """«Получатели платежа» when some services are paid to their suppliers directly: a section per payee with its
    details, services and amounts; a direct supplier's section has its own QR code at the right."""
    if not r.direct_payees:
        return
    _heading(pdf, "Получатели платежа")
    for section in r.payees:
        if pdf.get_y() + 36 > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        if section.direct:
            how = " — оплата напрямую поставщику"
        else:
            how = f" — в том числе как агент: {', '.join(section.agent_for)}" if section.agent_for else ""
        lines = [
            f"Получатель: {section.name}{how}",
            f"ИНН {section.inn}  КПП {section.kpp}" + (f"  Адрес: {section.address}" if section.address else ""),
            f"Р/с {section.settlement_account}  {section.bank_name}",
            f"БИК {section.bik}  К/с {section.correspondent_account}",
            f"Услуги: {', '.join(section.services) or '—'}",
        ]
        for line in lines:
            _text(pdf, line, w=150, size=7)
        _row(pdf, [(110, f"К оплате за {r.period_label}", "L", "", 7), (40, money(section.due_for_period), "R", "", 7)])
        _row(pdf, [(110, TOTAL_LABEL, "L", "B", 7), (40, money(section.total), "R", "B", 7)])
        if section.direct:
            payment = section.payment(number=r.account.number, month=r.period.month, payer_address=r.address)
            _qr(pdf, qr.payload(payment), x=160, y=top, size=34)
        pdf.set_y(max(pdf.get_y(), top + (35 if section.direct else 0)) + 1)
    pdf.ln(1)


COMMON_HEADS = (
    ("Общедомовые нужды", 44),
    ("Ед. изм.", 12),
    ("Прибор учёта дома", 26),
    ("Показание прибора дома", 26),
    ("Объём по прибору дома", 26),
    ("Объём в помещениях дома", 28),
    ("Объём на общедомовые нужды", 28),
)


def _common_use(pdf: FPDF, r: Receipt) -> None:
    """The house's figures behind the common-house lines: "—" where the house has no meter."""
    if not r.house:
        return
    _heading(pdf, "Справочно: потребление коммунальных ресурсов в доме")
    _row(pdf, [(w, title, "L", "B", 6.5) for title, w in COMMON_HEADS])
    for h in r.house:
        values = (
            h.service,
            h.unit,
            h.meter or "нет (по нормативу)",
            _v(h.reading) or "—",
            _v(h.house_volume) or "—",
            _v(h.individual),
            _v(h.common) or "—",
        )
        _row(
            pdf,
            [
                (w, v, "L" if i < 3 else "R", "", 6.5)
                for i, (v, (_, w)) in enumerate(zip(values, COMMON_HEADS, strict=True))
            ],
        )
    pdf.ln(2)


METER_HEADS = (("Услуга", 60), ("Прибор", 35), ("Ед. изм.", 15), ("Предыдущее", 25), ("Текущее", 25), ("Расход", 30))


def _meters(pdf: FPDF, r: Receipt) -> None:
    """Section 3: the meters' readings."""
    if not r.meters:
        return
    _heading(pdf, "Показания приборов учёта")
    _row(pdf, [(w, title, "L", "B", 6.5) for title, w in METER_HEADS])
    for m in r.meters:
        values = (m.service, m.serial, m.unit, _v(m.previous), _v(m.current), _v(m.volume))
        _row(
            pdf,
            [
                (w, value, "L" if i < 3 else "R", "", 6.5)
                for i, ((_, w), value) in enumerate(zip(METER_HEADS, values, strict=True))
            ],
        )
    pdf.ln(2)


def _recalculations(pdf: FPDF, r: Receipt) -> None:
    """Section 6: recalculations with their reasons."""
    if not r.recalculations:
        return
    _heading(pdf, "Перерасчёты")
    for rec in r.recalculations:
        _text(pdf, f"{rec.service}: {money(rec.amount)} — {rec.reason}", size=7)


def _instalment_offer(pdf: FPDF, r: Receipt) -> None:
    """docs/BILLING.md, «Рассрочка»: a charge more than 25 % above the same month last year comes with the instalment offer."""
    offers = r.instalment_offers
    if not offers:
        return
    pdf.set_font(FONT, "B", 8)
    pdf.cell(0, 5, "Оплата в рассрочку", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 7)
    for text in [*offers, r.instalment_terms]:
        pdf.multi_cell(0, 3.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def new_document() -> ReceiptPDF:
    """A document with the fonts loaded (most of a single receipt's time). A deep copy of a parsed blank was
    tried and loses glyphs when subset on output, so every document parses its fonts."""
    return ReceiptPDF()


def render(receipts: list[Receipt]) -> bytes:
    """One PDF with a page per receipt (one receipt, or a whole period for the printing house)."""
    pdf = new_document()
    for r in receipts:
        draw(pdf, r)
    return bytes(pdf.output())


def render_separate(receipts: list[Receipt]) -> list[bytes]:
    """A stand-alone PDF per receipt (e-mail, ZIP), the same pages as `render([receipt])` gives. The chunk is drawn
    as one document and cut into files (pdf_split): the font is subset and compressed once for the chunk, not once
    a receipt, which was nine tenths of a single receipt's time (docs/BENCHMARKS.md, «Receipts»)."""
    if not receipts:
        return []
    pdf = new_document()
    ranges = []
    for r in receipts:
        first = pdf.page + 1
        draw(pdf, r)
        ranges.append((first, pdf.page))
    return pdf_split.split(bytes(pdf.output()), ranges)
