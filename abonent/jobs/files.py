"""A job's result file, written by whichever worker finishes the job and served by any web node: default storage
(MEDIA_ROOT; on several machines a shared volume or an object store, see docs/DEPLOYMENT.md)."""

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .models import Job


def save_result(job: Job, name: str, data: bytes | File) -> None:
    """`data`: the bytes, or an open file (a result too large for memory, streamed into storage)."""
    content = data if isinstance(data, File) else ContentFile(data)
    job.result_file.save(f"{job.pk}-{name}", content, save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


def part_name(job: Job, number: int, suffix: str) -> str:
    return f"jobs/parts/{job.pk}/{number:05d}.{suffix}"


def save_part(job: Job, number: int, suffix: str, data: bytes) -> str:
    """A chunk's share of the file; a rerun of the chunk overwrites it."""
    name = part_name(job, number, suffix)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def read_part(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def drop_parts(names: list[str]) -> None:
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
