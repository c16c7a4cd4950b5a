"""The office's background jobs: its reports written out as XLSX files (exports)."""

from abonent.jobs.exports import register_export

from . import exports

register_export(exports.KIND, "Выгрузка отчёта", exports.build)
