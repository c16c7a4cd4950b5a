"""Import of the register from the organisation's billing: houses, premises, accounts and meters, each upserted
by its natural key — a house by its ФИАС/ГАР GUID or else its address, a premises by house and number, an account
by its number, a meter by its serial number in the premises. Only the organisation's own rows are looked up, so
a file never touches another organisation's (the same account number there is another account). Allowed only in
the external-billing mode. One transaction: a refused file (any bad line, a missing column, a wrong encoding)
changes nothing but the audit record of the refusal; an accepted one is kept whole (ExchangeFile, downloadable)
with its counts. The command, the office's job and the HTTP endpoint all call `billing_register_import`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering.models import Meter

from . import readers
from .errors import ExchangeRefused
from .layouts import Layout, with_overrides
from .models import BillingMapping, ExchangeFile
from .register_layouts import FIELDS, LAYOUTS
from .register_lines import RegisterLine, checked

STAGES = ("houses", "premises", "accounts", "meters")
STAGE_LABELS = {"houses": "домов", "premises": "помещений", "accounts": "счетов", "meters": "приборов учёта"}


@dataclass
class RegisterResult:
    file: ExchangeFile
    counts: dict[str, int]

    def summary(self) -> str:
        parts = [
            f"{STAGE_LABELS[s]}: новых {self.counts[f'{s}_created']}, изменено {self.counts[f'{s}_updated']}"
            for s in STAGES
        ]
        return f"Реестр загружен, строк {self.counts['lines']}; " + "; ".join(parts) + "."


def register_mapping_of(organisation) -> tuple[Layout, str]:
    mapping = BillingMapping.objects.filter(organisation=organisation).first()
    if mapping is None:
        return LAYOUTS["abonent"], "auto"
    return with_overrides(LAYOUTS[mapping.register_preset], mapping.register_columns, FIELDS), mapping.encoding


def billing_register_import(
    *,
    organisation,
    data: bytes,
    file_name: str,
    file_format: str | None = None,
    actor=None,
    channel: str = "command",
    progress: Callable[[int, int], None] | None = None,
) -> RegisterResult:
    """Import the register; ExchangeRefused (Russian reasons with line numbers) when the file is refused."""
    audit = {
        "organisation": organisation,
        "kind": ExchangeFile.Kind.REGISTER,
        "file_name": file_name[:255],
        "content": data,
        "checksum": hashlib.sha256(data).hexdigest(),
        "channel": channel,
        "created_by": actor if getattr(actor, "pk", None) else None,
    }
    try:
        return _accepted(organisation, data, file_name, file_format, audit, progress or (lambda done, total: None))
    except ExchangeRefused as refusal:
        ExchangeFile.objects.create(
            **audit, status=ExchangeFile.Status.REFUSED, file_format=file_format or "", errors="\n".join(refusal.errors)
        )
        raise


def _accepted(organisation, data, file_name, file_format, audit, progress) -> RegisterResult:
    if not organisation.external_billing:
        raise ExchangeRefused(
            ["организация ведёт расчёт сама (режим «собственный расчёт»): реестр из внешнего биллинга не загружается"]
        )
    fmt = readers.file_format(file_name, file_format)
    layout, encoding = register_mapping_of(organisation)
    table = readers.read(data, fmt, encoding=encoding, separator=layout.separator)
    lines, errors = checked(table, layout, organisation)
    if errors:
        raise ExchangeRefused(errors)
    try:
        return _written(organisation, lines, progress, audit, fmt, table.encoding)
    except IntegrityError as exc:  # a rule of the database the line checks did not foresee: refused, not a 500
        raise ExchangeRefused(
            ["файл противоречит уже заведённым домам, помещениям, счетам или приборам; ничего не изменено"]
        ) from exc


def _written(organisation, lines, progress, audit, fmt, encoding) -> RegisterResult:
    with transaction.atomic():
        counts = _Writer(organisation, lines, progress).write()
        stored = ExchangeFile.objects.create(
            **audit,
            status=ExchangeFile.Status.ACCEPTED,
            file_format=fmt,
            encoding=encoding,
            lines=len(lines),
            accounts=len({line.account["number"] for line in lines}),
        )
        result = RegisterResult(stored, {"lines": len(lines), **counts})
        stored.parameters = result.summary()[:200]
        stored.save(update_fields=["parameters"])
    return result


def _given(values: dict) -> dict:
    """A cell left empty keeps what is stored (a new row takes the model's default)."""
    return {k: v for k, v in values.items() if v is not None}


def _check_house(line: RegisterLine, found: Building, holder: Building | None, taken: bool) -> None:
    """The stored house a line names is the one its address and its GUID agree on, and no other address of the
    file names it too."""
    if holder is not None and holder is not found:
        raise ExchangeRefused(
            [
                f"строка {line.line_no}: дом с ФИАС/ГАР GUID {found.fias_guid} уже заведён по адресу «{found.address}», "
                f"а адрес «{line.house['address']}» — у другого дома"
            ]  # fmt: skip
        )
    if taken:
        raise ExchangeRefused(
            [f"строка {line.line_no}: дом «{found.address}» уже назван в файле другим адресом"]  # fmt: skip
        )


class _Writer:
    """The upserts, model by model in bulk: the organisation's rows loaded once, the new ones created, the changed
    ones updated; each stage reports its count to `progress`."""

    def __init__(self, organisation, lines: list[RegisterLine], progress):
        self.organisation, self.lines, self.progress = organisation, lines, progress
        self.counts: dict[str, int] = {}
        self.done, self.total = 0, len(lines) * len(STAGES)

    def write(self) -> dict[str, int]:
        self.progress(0, self.total)
        houses = self._houses()
        premises = self._premises(houses)
        self._accounts(premises)
        self._meters(premises)
        return self.counts

    def _upsert(self, stage: str, model, existing: dict, wanted: dict, make) -> dict:
        created, changed, fields = {}, [], set()
        for key, values in wanted.items():
            row = existing.get(key)
            if row is None:
                created[key] = make(key, values)
                continue
            differs = {f: v for f, v in values.items() if getattr(row, f) != v}
            if differs:
                for name, value in differs.items():
                    setattr(row, name, value)
                changed.append(row)
                fields.update(differs)
        model.objects.bulk_create(list(created.values()), batch_size=2000)
        if changed:
            model.objects.bulk_update(changed, sorted(fields), batch_size=2000)
        self.counts[f"{stage}_created"], self.counts[f"{stage}_updated"] = len(created), len(changed)
        self.done += len(self.lines)
        self.progress(self.done, self.total)
        return {**existing, **created}

    def _houses(self) -> dict[str, Building]:
        stored = list(Building.objects.filter(organisation=self.organisation))
        by_address = {b.address.casefold(): b for b in stored}
        by_guid = {b.fias_guid: b for b in stored if b.fias_guid}
        existing, wanted, owner = {}, {}, {}
        for line in self.lines:
            key = line.house["address"].casefold()
            found = by_guid.get(line.house["fias_guid"]) or by_address.get(key)
            if found is not None:
                _check_house(line, found, by_address.get(key), owner.setdefault(found.pk, key) != key)
                existing[key] = found
            wanted[key] = _given(line.house)

        def make(key, values):
            return Building(organisation=self.organisation, **values)

        return self._upsert("houses", Building, existing, wanted, make)

    def _premises(self, houses: dict[str, Building]) -> dict[int, Premises]:
        """Each line's premises, by the line's number."""
        stored = Premises.objects.filter(building__organisation=self.organisation)
        existing = {(p.building_id, p.number): p for p in stored}
        wanted, keys = {}, {}
        for line in self.lines:
            building = houses[line.house["address"].casefold()]
            keys[line.line_no] = (building.pk, line.premises["number"])
            wanted[keys[line.line_no]] = _given(line.premises)

        def make(key, values):
            return Premises(building_id=key[0], **values)

        found = self._upsert("premises", Premises, existing, wanted, make)
        return {line_no: found[key] for line_no, key in keys.items()}

    def _accounts(self, premises: dict) -> None:
        existing = {a.number: a for a in PersonalAccount.objects.filter(organisation=self.organisation)}
        wanted = {}
        for line in self.lines:
            values = {**_given(line.account), "closed_on": line.account["closed_on"]}
            wanted[line.account["number"]] = {**values, "premises_id": premises[line.line_no].pk}

        def make(key, values):
            return PersonalAccount(organisation=self.organisation, **values)

        self._upsert("accounts", PersonalAccount, existing, wanted, make)

    def _meters(self, premises: dict) -> None:
        stored = Meter.objects.filter(premises__building__organisation=self.organisation)
        existing = {(m.premises_id, m.serial_number): m for m in stored}
        wanted = {}
        for line in self.lines:
            if line.meter is not None:
                place = premises[line.line_no]
                wanted[(place.pk, line.meter["serial_number"])] = _given(line.meter)

        def make(key, values):
            return Meter(premises_id=key[0], **values)

        self._upsert("meters", Meter, existing, wanted, make)
