"""Result counts in words: the keys the job kinds report, as the job's page shows them."""

from django.utils.translation import gettext_lazy as _

COUNTS = {
    "sent": _("отправлено"),
    "skipped": _("пропущено (уже отправлено)"),
    "failed": _("не отправлено (ошибка почты)"),
    "created": _("зачислено платежей"),
    "duplicates": _("уже были загружены"),
    "unmatched": _("не сопоставлено"),
    "readings": _("показаний"),
    "imported": _("загружено показаний"),
    "receipts": _("квитанций"),
    "documents": _("записано документов квитанций"),
    "bytes": _("байт в файле"),
    "entries": _("строк"),
    "accepted": _("принято показаний"),
    "state": _("состояние периода"),
    "period": _("период"),
    "lines": _("строк в файле"),
    "accounts": _("лицевых счетов"),
    "skipped_other": _("не на расчётный счёт"),
    "version": _("версия месяца"),
    "missing_accounts": _("счетов нет в файле"),
    "published": _("опубликован (1 — да)"),
    "houses_created": _("новых домов"),
    "houses_updated": _("изменено домов"),
    "premises_created": _("новых помещений"),
    "premises_updated": _("изменено помещений"),
    "accounts_created": _("новых лицевых счетов"),
    "accounts_updated": _("изменено лицевых счетов"),
    "meters_created": _("новых приборов учёта"),
    "meters_updated": _("изменено приборов учёта"),
    "file": _("файл обмена №"),
}


def counts(result: dict) -> list[tuple[str, object]]:
    shown = []
    for key, value in (result or {}).items():
        if isinstance(value, (int, str)) and not key.startswith("_"):
            shown.append((str(COUNTS.get(key, key)), value))
    return shown
