"""The registry layouts an organisation's operator defined (RegistryLayout) as registry_layouts.Layout, beside the
presets: what the upload offers, and the layout a job reads its file with. An organisation's own layout is named
"own-<id>" and found only within that organisation, so another's is never used."""

from __future__ import annotations

from .models import RegistryLayout
from .registry_layouts import LAYOUTS, Layout, layout_choices

OWN = "own-"
COLUMNS = ("paid_on", "payment_id", "account", "amount", "payer", "period", "service")


def as_layout(own: RegistryLayout) -> Layout:
    """Columns counted from 1 in the form, from 0 in the parser."""
    columns = {name: getattr(own, name) - 1 for name in COLUMNS if getattr(own, name)}
    return Layout(
        name=f"{OWN}{own.pk}",
        encoding=own.encoding,
        separator=own.separator,
        date_formats=(own.date_format,),
        decimal_comma=own.decimal_comma,
        columns=columns,
        summary_prefix=own.summary_prefix,
        summary_count=own.summary_count - 1,
        summary_total=own.summary_total - 1,
        title=own.title,
    )


def choices_for(organisation) -> list[tuple[str, str]]:
    own = RegistryLayout.objects.filter(organisation=organisation)
    return [*layout_choices(), *((f"{OWN}{o.pk}", f"Свой формат: {o.title}") for o in own)]


def layout_named(organisation, name: str) -> Layout:
    """The preset or the organisation's own layout of that name; LookupError for anything else."""
    if name in LAYOUTS:
        return LAYOUTS[name]
    pk = name.removeprefix(OWN)
    own = RegistryLayout.objects.filter(organisation=organisation, pk=pk).first() if pk.isdigit() else None
    if own is None:
        raise LookupError(f"Формат реестра «{name}» не найден")
    return as_layout(own)
