"""A background job: what an operator started, how far it got, and what came of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Выполняется")
        FINISHED = "finished", _("Завершено")
        FAILED = "failed", _("Ошибка")

    ACTIVE = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("вид"), max_length=60)
    organisation = models.ForeignKey(
        "orgs.Organisation", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("организация")
    )
    params = models.JSONField(_("параметры"), default=dict, blank=True)
    # Two operators starting the same job (same kind, organisation, parameters) get the one already queued or
    # running: the key is unique among active jobs only, so the job can be run again once it has ended.
    dedupe_key = models.CharField(_("ключ"), max_length=255)
    state = models.CharField(_("состояние"), max_length=10, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(_("этап"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("сделано"), default=0)
    total = models.PositiveIntegerField(_("всего"), default=0)
    chunks_total = models.PositiveIntegerField(_("частей"), default=0)
    chunks_done = models.PositiveIntegerField(_("частей готово"), default=0)
    attempts = models.PositiveIntegerField(_("запусков"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто запустил"),
    )
    created_at = models.DateTimeField(_("поставлено"), default=timezone.now)
    started_at = models.DateTimeField(_("начато"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("признак жизни"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончено"), null=True, blank=True)
    # An uploaded file the job reads (a bank registry, a readings file): kept in the database, so a worker on
    # another machine reads it without a shared disk.
    upload = models.BinaryField(_("загруженный файл"), null=True, blank=True, editable=False)
    upload_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    result = models.JSONField(_("итоги"), default=dict, blank=True)
    result_file = models.FileField(_("файл"), upload_to="jobs/", blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("фоновое задание")
        verbose_name_plural = _("фоновые задания")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(state__in=["queued", "running"]), name="job_active_once"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="job_org_recent")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.state == self.State.FINISHED:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


class JobChunk(models.Model):
    """One part of a fanned-out job, run as a task of its own so several workers share the job. It records what
    it did (`result`) once done; a redelivered or retried chunk that is done is skipped, and the items inside a
    chunk are themselves idempotent (a receipt e-mail is claimed before it is sent)."""

    job = models.ForeignKey(Job, models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    params = models.JSONField(default=dict)
    done = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("job", "number")
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="job_chunk_once")]

    def __str__(self) -> str:
        return f"{self.job} / {self.number}"
