"""The kinds of background job. The apps above register theirs (from their `tasks.py`, which Celery's worker
and the jobs app both import at start): jobs sits low in the layers and knows no domain.

A kind is either one task (`run`) or fanned out (`plan` → chunks run as separate tasks by any worker → `finish`
combines what the chunks recorded)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # Russian, shown in the list of jobs
    run: Callable[[Any, Any], dict] | None = None  # (job, progress) -> result counts
    plan: Callable[[Any], list[dict]] | None = None  # (job) -> the chunks' parameters, each with its "size"
    chunk: Callable[[Any, dict, Any], dict] | None = None  # (job, chunk params, progress) -> what the chunk did
    finish: Callable[[Any, list[dict]], dict] | None = None  # (job, every chunk's result) -> result counts
    # Errors whose text is meant for the operator (Russian, from our services); anything else is a fault.
    user_errors: tuple[type[Exception], ...] = field(default=())
    describe: Callable[[dict], str] | None = None  # a job's parameters in words, for its page
    links: Callable[[Any], list[tuple[str, str]]] | None = None  # (job) -> what to open next: (text, url)

    @property
    def fanned_out(self) -> bool:
        return self.plan is not None


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> Kind:
    if name not in _KINDS:
        autodiscover_modules("tasks")  # a web process may not have imported the app's tasks yet
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"Неизвестный вид задания: {name}") from None


def label(name: str) -> str:
    try:
        return get(name).label
    except LookupError:
        return name


def names() -> list[str]:
    autodiscover_modules("tasks")
    return sorted(_KINDS)


def chunked(ids: list[int], size: int) -> list[dict]:
    """A fanned-out kind's plan: the ids in chunks of `size`, each {"n", "ids", "size"}."""
    return [
        {"n": n, "ids": ids[start : start + size], "size": len(ids[start : start + size])}
        for n, start in enumerate(range(0, len(ids), size))
    ]
