"""Table exports (CSV, XLSX) as jobs: a city's payments or readings are hundreds of thousands of rows, more than a
request may take, so the button queues a job and the file is downloaded from the job's page.

An admin action's selection is kept as the admin itself makes it: the change list's query string (filters,
search, date) and the ticked rows or "all matching"; the worker rebuilds the queryset through the same ModelAdmin
as the starting operator (their organisation's scope), so the file has exactly the rows the operator chose. Two
operators of one organisation exporting the same selection get the same job."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import format_html

from abonent.lib import tables
from abonent.lib.tables import Table

from . import files, registry
from .services import start_job

FORMATS = {"csv": "CSV", "xlsx": "XLSX"}


class ExportError(Exception):
    pass


def register_export(name: str, label: str, build: Callable[[object], Table], **extra) -> registry.Kind:
    """A kind whose job writes the table `build(job)` makes in the job's format, as the job's file."""

    def run(job, progress) -> dict:
        table = build(job)
        progress.phase("запись файла", total=table.total)
        counted = _Counted(table.rows, progress)
        fmt = job.params["format"]
        data = tables.FORMATS[fmt][1](Table(table.name, table.title, table.headers, counted))
        files.save_result(job, f"{table.name}.{fmt}", data)
        return {"entries": counted.count, "bytes": len(data)}

    kind = registry.Kind(name=name, label=label, run=run, describe=_describe, user_errors=(ExportError,), **extra)
    return registry.register(kind)


def _describe(params: dict) -> str:
    return ", ".join(p for p in (params.get("label", ""), FORMATS.get(params.get("format"), "")) if p)


class _Counted:
    """The rows as they are written, counted into the job's progress."""

    def __init__(self, rows: Iterable[list], progress):
        self.rows, self.progress, self.count = rows, progress, 0

    def __iter__(self) -> Iterator[list]:
        for row in self.rows:
            self.count += 1
            self.progress(self.count)
            yield row


# --- from an admin action ---


def admin_selection(request) -> dict:
    """What the operator chose on the change list: its query string and the ticked rows (or all matching)."""
    query = sorted((key, value) for key, values in request.GET.lists() for value in values)
    if request.POST.get("select_across") == "1":
        return {"query": query, "selected": "all"}
    ticked = sorted({int(pk) for pk in request.POST.getlist(ACTION_CHECKBOX_NAME) if str(pk).isdigit()})
    return {"query": query, "selected": ticked}


def admin_export_start(modeladmin, request, *, kind: str, fmt: str, organisation_id, label: str):
    """The admin action's answer: queue the export, say where its file will be, stay on the change list."""
    params = {**admin_selection(request), "format": fmt, "label": label}
    job = start_job(kind=kind, organisation=organisation_id, params=params, actor=request.user)
    url = reverse("jobs:detail", args=[job.pk])
    text = format_html('Выгрузка поставлена в очередь. <a href="{}">Ход и файл</a>', url)
    modeladmin.message_user(request, text, messages.SUCCESS)
    return job


def admin_queryset(job, model):
    """The rows the job's operator selected, through the model's admin as they saw it."""
    if job.started_by is None:
        raise ExportError("Оператор, начавший выгрузку, удалён: начните выгрузку снова.")
    modeladmin = admin.site._registry[model]
    query = QueryDict(mutable=True)
    for key, value in job.params.get("query", []):
        query.appendlist(key, value)
    request = RequestFactory().get("/", query)
    request.user = job.started_by
    changelist = modeladmin.get_changelist_instance(request)
    queryset = changelist.get_queryset(request)
    selected = job.params.get("selected", [])
    return queryset if selected == "all" else queryset.filter(pk__in=selected)
