"""An A4 ЕПД with fpdf2: DejaVu embedded (Cyrillic, extractable text) and the payment QR code.

fpdf2 was measured against the alternatives (DESIGN.md): pure Python, no system libraries, a receipt in a few
milliseconds once the font is parsed. The font is parsed once per process and reused (the slow part).
"""

import os
import zlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from abonent.portal.templatetags.ru_format import format_decimal, ru_date, ru_decimal

from . import qr
from .selectors import Receipt

FONT_DIR = Path(getattr(settings, "RECEIPT_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# What a receipt can contain: Latin, Latin-1 and Latin Extended-A, Cyrillic, punctuation («», –, —, …, №, ₽),
# letterlike symbols and arrows. The full DejaVu (6 000 glyphs) takes ~110 ms to parse per document, the subset a
# third of that (measured, bench/receipts.py).
UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x400, 0x530),
    *range(0x2010, 0x2060),
    *range(0x20A0, 0x20C0),
    *range(0x2100, 0x2300),  # letterlike, arrows, mathematical operators (the minus sign −)
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
    return "" if value is None else ru_decimal(value, 3)


class ReceiptPDF(FPDF):
    def __init__(self):
        super().__init__(format="A4", unit="mm")
        self.set_auto_page_break(True, margin=10)
        self.set_margins(10, 10, 10)
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_creator("Абонент")
        self.set_compression(True)


def _cell(pdf: FPDF, w: float, text: str, *, align: str = "L", bold: bool = False, size: float = 7, h: float = 4.2):
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.cell(w, h, text, border=1, align=align)


def _qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    modules, runs = qr.dark_runs(text)
    quiet = 4
    step = size / (modules + 2 * quiet)
    k, height = pdf.k, pdf.h
    # One path of rectangles written as raw PDF operators: FPDF.rect per run made the QR 80 % of a receipt's time.
    ops = [
        f"{(x + (col + quiet) * step) * k:.2f} {(height - y - (row + quiet) * step) * k:.2f} "
        f"{length * step * k:.2f} {-step * k:.2f} re"
        for row, col, length in runs
    ]
    pdf._out("q 0 g " + " ".join(ops) + " f Q")


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
        # cell is several times faster than multi_cell; only a line too long for the column needs wrapping
        if pdf.get_string_width(line) < 148:
            pdf.cell(150, 3.8, line, new_x="LMARGIN", new_y="NEXT")
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
    widths = [w for _, w in heads]
    for title, w in heads:
        _cell(pdf, w, title, bold=True, size=6)
    pdf.ln()
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
        for i, (value, w) in enumerate(zip(values, widths, strict=True)):
            size = 6 if i in (0, 4) else 6.5
            pdf.set_font(FONT, "", size)
            while pdf.get_string_width(value) > w - 1 and len(value) > 3:
                value = value[:-2] + "…"
            pdf.cell(w, 4.2, value, border=1, align="L" if i in (0, 1, 4) else "R")
        pdf.ln()
    pdf.ln(2)

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
        _cell(pdf, 140, label, size=7)
        _cell(pdf, 30, _m(value), align="R", bold=label == "Всего к оплате", size=7)
        pdf.ln()
    if r.last_payment_on:
        pdf.set_font(FONT, "", 7)
        pdf.cell(0, 4, f"Дата последней оплаты: {ru_date(r.last_payment_on)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    # Section 3: meters.
    if r.meters:
        pdf.set_font(FONT, "B", 8)
        pdf.cell(0, 5, "Показания приборов учёта", new_x="LMARGIN", new_y="NEXT")
        for title, w in (
            ("Услуга", 60),
            ("Прибор", 35),
            ("Ед.", 15),
            ("Предыдущее", 25),
            ("Текущее", 25),
            ("Расход", 25),
        ):
            _cell(pdf, w, title, bold=True, size=6.5)
        pdf.ln()
        for m in r.meters:
            for value, w in (
                (m.service, 60),
                (m.serial, 35),
                (m.unit, 15),
                (_v(m.previous), 25),
                (_v(m.current), 25),
                (_v(m.volume), 25),
            ):
                _cell(pdf, w, value, size=6.5)
            pdf.ln()
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
