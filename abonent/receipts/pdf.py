"""An A4 ЕПД with fpdf2: DejaVu embedded (Cyrillic, extractable text) and the payment QR code.

fpdf2 was measured against the alternatives (DESIGN.md): pure Python, no system libraries, a receipt in a few
milliseconds once the font is parsed. The font is parsed once per process and reused (the slow part).
"""

import os
import re
import zlib
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.util import escape_parens

from abonent.lib.dates import ru_date
from abonent.lib.numbers import format_decimal, ru_decimal, volume

from . import qr
from .selectors import Receipt

FONT_DIR = Path(getattr(settings, "RECEIPT_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT = "DejaVu"
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


def _m(value: Decimal | None) -> str:
    return "" if value is None else format_decimal(value, 2)


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


def _units(pdf: ReceiptPDF, text: str, style: str) -> int:
    units = pdf.text_units.get((style, text))
    if units is None:
        cw = pdf.fonts[FONT.lower() + style].cw
        units = pdf.text_units[style, text] = sum(cw[ord(c)] for c in text)
    return units


def _glyphs(pdf: ReceiptPDF, text: str, style: str) -> str:
    """`text` as the font's glyph ids for a Tj operator; picking them puts them in the document's font subset."""
    glyphs = pdf.glyph_strings.get((style, text))
    if glyphs is None:
        pick = pdf.fonts[FONT.lower() + style].subset.pick
        mapped = "".join(chr(i) for i in map(pick, map(ord, text)) if i)
        glyphs = pdf.glyph_strings[style, text] = escape_parens(mapped.encode("utf-16-be").decode("latin-1"))
    return glyphs


def _width(pdf: ReceiptPDF, text: str, style: str, size: float) -> float:
    """The width of `text` in mm (FPDF.get_string_width without its per-call text preprocessing)."""
    return _units(pdf, text, style) * size * 0.001 / pdf.k


def _fit(pdf: ReceiptPDF, text: str, w: float, style: str, size: float) -> str:
    while _width(pdf, text, style, size) > w - 1 and len(text) > 3:
        text = text[:-2] + "…"
    return text


def _row(pdf: ReceiptPDF, cells, *, h: float = 4.2, border: bool = True) -> None:
    """A table row of bordered cells from the left margin, written as raw PDF operators: one path for the
    borders and one text object. FPDF.cell does the same with a line-breaking and styling pass per cell, which
    was half of a receipt's time (measured, bench/receipts.py). `cells` are (width, text, align "L"/"R", style
    "" or "B", size in pt); the glyphs go through the font's subset map, so the subset on output keeps them and
    the text stays extractable."""
    pdf._perform_page_break_if_need_be(h)
    k, c_margin = pdf.k, pdf.c_margin
    x, top = pdf.l_margin, pdf.h - pdf.y
    borders, text = [], ["BT"]
    current = None
    for w, value, align, style, size in cells:
        borders.append(f"{x * k:.2f} {top * k:.2f} {w * k:.2f} {-h * k:.2f} re")
        if value:
            font = pdf.fonts[FONT.lower() + style]
            if current != (style, size):
                current = (style, size)
                text.append(f"/F{font.i} {size:.2f} Tf")
                pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)
                if size > font.biggest_size_pt:
                    font.biggest_size_pt = size
            dx = w - c_margin - _width(pdf, value, style, size) if align == "R" else c_margin
            y = top - 0.5 * h - 0.3 * size / k
            text.append(f"1 0 0 1 {(x + dx) * k:.2f} {y * k:.2f} Tm ({_glyphs(pdf, value, style)}) Tj")
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
    org = r.organisation
    acc = r.account
    premises = acc.premises
    pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, f"Платёжный документ (ЕПД) за {r.period_label}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    top = pdf.get_y()
    info = [
        f"Лицевой счёт: {acc.number}",
        f"Плательщик: {acc.payer_name}",
        f"Адрес: {premises.address}",
        f"Площадь общая: {ru_decimal(premises.total_area)} м²"
        + (f"; жилая: {ru_decimal(premises.living_area)} м²" if premises.living_area else "")
        + f"; зарегистрировано: {premises.residents}",
        f"Код активации для регистрации на портале: {acc.activation_code}",
        "",
        f"Получатель: {org.name}",
        f"ИНН {org.inn}  КПП {org.kpp}",
        f"Р/с {org.settlement_account}  {org.bank_name}",
        f"БИК {org.bik}  К/с {org.correspondent_account}",
        f"Тел.: {org.phone}  {org.email}",
        f"Приём: {' '.join(org.office_hours.split())}",
    ]
    for line in info:
        # a raw text line is many times faster than multi_cell; only a line too long for the column needs wrapping
        if _width(pdf, line, "", 8) < 148:
            _row(pdf, [(150, line, "L", "", 8)], h=3.8, border=False)
        else:
            pdf.multi_cell(150, 3.8, line, new_x="LMARGIN", new_y="NEXT")
    _qr(pdf, r.qr_payload(), x=160, y=top, size=40)
    pdf.set_y(max(pdf.get_y(), top + 42) + 2)

    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 5, f"Итого к оплате за {r.period_label}: {_m(r.total)} руб.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    pdf.cell(0, 4, f"Оплатить до {ru_date(r.due_date)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    # Section 4: the services.
    heads = [
        ("Услуга", 44),
        ("Ед.", 10),
        ("Объём инд.", 16),
        ("Объём ОДН", 15),
        ("Способ", 27),
        ("Тариф", 15),
        ("Начислено", 17),
        ("Коэфф.", 10),
        ("Превыш.", 12),
        ("Перерасч.", 12),
        ("Итого", 12),
    ]
    _row(pdf, [(w, title, "L", "B", 6) for title, w in heads])
    for line in r.lines:
        values = [
            line.service,
            line.unit,
            _v(line.volume),
            _v(line.common_volume) if line.common_volume else "",
            line.basis,
            format_decimal(line.price, 4, min_places=2),
            _m(line.charged),
            ru_decimal(line.factor) if line.factor else "",
            _m(line.factor_excess) if line.factor_excess else "",
            _m(line.recalculated) if line.recalculated else "",
            _m(line.total),
        ]
        cells = []
        for i, (value, (_, w)) in enumerate(zip(values, heads, strict=True)):
            size = 6 if i in (0, 4) else 6.5
            cells.append((w, _fit(pdf, value, w, "", size), "L" if i in (0, 1, 4) else "R", "", size))
        _row(pdf, cells)
    notes = [line.basis_note for line in r.lines if line.basis_note]
    if notes:  # why a line is by the average or the norm: too long for its column
        pdf.set_font(FONT, "", 7)
        for note in notes:
            pdf.multi_cell(0, 3.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _instalment_offer(pdf, r)

    # Section 5: totals.
    b = r.balance
    rows = [
        ("Задолженность (+) / аванс (−) на начало периода", b.opening),
        ("Начислено за период", b.charged),
        ("Перерасчёты", b.recalculated),
        ("Пени", r.penalty),
        (f"Оплачено (платежи, поступившие по {ru_date(r.paid_until)} включительно)", b.paid),
        ("Всего к оплате", r.total),
    ]
    for label, value in rows:
        _row(pdf, [(140, label, "L", "", 7), (30, _m(value), "R", "B" if label == "Всего к оплате" else "", 7)])
    if r.last_payment_on:
        pdf.set_font(FONT, "", 7)
        pdf.cell(0, 4, f"Дата последней оплаты: {ru_date(r.last_payment_on)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    # Section 3: meters.
    if r.meters:
        pdf.set_font(FONT, "B", 8)
        pdf.cell(0, 5, "Показания приборов учёта", new_x="LMARGIN", new_y="NEXT")
        heads = (("Услуга", 60), ("Прибор", 35), ("Ед.", 15), ("Предыдущее", 25), ("Текущее", 25), ("Расход", 25))
        _row(pdf, [(w, title, "L", "B", 6.5) for title, w in heads])
        for m in r.meters:
            values = (m.service, m.serial, m.unit, _v(m.previous), _v(m.current), _v(m.volume))
            _row(pdf, [(w, value, "L", "", 6.5) for (_, w), value in zip(heads, values, strict=True)])
        pdf.ln(2)

    # Section 6: recalculations with their reasons.
    if r.recalculations:
        pdf.set_font(FONT, "B", 8)
        pdf.cell(0, 5, "Перерасчёты", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 7)
        for rec in r.recalculations:
            pdf.multi_cell(
                0, 3.8, f"{rec.service}: {_m(rec.amount)} руб. — {rec.reason}", new_x="LMARGIN", new_y="NEXT"
            )


def _instalment_offer(pdf: FPDF, r: Receipt) -> None:
    """RULES.md: a charge more than 25 % above the same month last year comes with the instalment offer."""
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
