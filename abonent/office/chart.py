"""The collection-rate chart as server-side SVG: bars of charged and paid per month, the rate above each pair.
No script, readable printed; the template draws what `collection_chart` measures here."""

from __future__ import annotations

from decimal import Decimal

from abonent.lib.dates import month_label
from abonent.lib.numbers import ru_decimal

WIDTH, HEIGHT, AXIS_Y, TOP = 760, 240, 200, 30


def collection_chart(months) -> dict:
    """`months` are money.MonthMoney; → {"bars": [...], "width", "height", "axis_y"} with pixel positions."""
    peak = max([m.charged for m in months] + [m.paid for m in months] + [Decimal("1")])
    slot = WIDTH / max(len(months), 1)
    bar = min(24.0, slot / 3)
    scale = (AXIS_Y - TOP) / float(peak)
    bars = []
    for i, m in enumerate(months):
        x = i * slot + slot / 2 - bar
        charged_h, paid_h = float(m.charged) * scale, float(m.paid) * scale
        label = month_label(m.month)
        bars.append(
            {
                "x_charged": round(x, 1),
                "x_paid": round(x + bar, 1),
                "width": round(bar, 1),
                "y_charged": round(AXIS_Y - charged_h, 1),
                "h_charged": round(charged_h, 1),
                "y_paid": round(AXIS_Y - paid_h, 1),
                "h_paid": round(paid_h, 1),
                "x_label": round(x + bar, 1),
                "y_rate": round(AXIS_Y - max(charged_h, paid_h) - 6, 1),
                "rate": f"{ru_decimal(m.rate, 1)} %" if m.rate is not None else "—",
                "short": f"{label[:3]} {str(m.month.year)[2:]}",
                "title": label,
                "month": m,
            }
        )
    return {"bars": bars, "width": WIDTH, "height": HEIGHT, "axis_y": AXIS_Y}
