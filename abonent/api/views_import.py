"""An organisation in external-billing mode sends its month, or its register (houses, premises, accounts, meters),
through the API: the file goes to a background job (exchange.tasks: billing_month_import or billing_register_import,
the office's and the command's own check and write), the answer is the job's id at once, and the job's state is
asked for by id. An organisation that computes its charges in Abonent, or a key
without the "import" scope, is refused (403) with a Russian message and a code; another organisation's job is 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as s
from rest_framework.response import Response

from abonent.exchange.tasks import MONTH_IMPORT, REGISTER, month_import_start, register_start
from abonent.jobs.models import Job
from abonent.lib.inputs import parse_id, parse_ru_month

from .base import ERRORS, READ_ERRORS, ApiView
from .errors import ApiError
from .models import OrgScope
from .permissions import OrgScopeRequired

TAGS = ["Организация"]
MAX_FILE = 200 * 1024 * 1024  # a city's month (10⁶ lines of a CSV) is ≈ 120 MB


class MonthImportIn(s.Serializer):
    month = s.CharField(max_length=10, help_text="Месяц ГГГГ-ММ или ММ.ГГГГ")
    file = s.FileField(help_text="Файл месяца в формате, настроенном для организации (CSV, XLSX, DBF)")
    publish = s.BooleanField(default=False, help_text="Опубликовать месяц после загрузки")


class RegisterImportIn(s.Serializer):
    file = s.FileField(help_text="Реестр (дома, помещения, счета, приборы учёта) в формате, настроенном для "
                       "организации (CSV, XLSX, DBF)")  # fmt: skip


class JobOut(s.Serializer):
    id = s.IntegerField()
    kind = s.CharField(help_text="exchange.month_import — месяц, exchange.register — реестр")
    state = s.ChoiceField(choices=Job.State.choices, help_text="queued, running, finished или failed")
    phase = s.CharField()
    created_at = s.DateTimeField()
    finished_at = s.DateTimeField(allow_null=True)
    result = s.DictField(child=s.IntegerField(), help_text="Итоги. Месяц: version, lines, accounts, "
                       "missing_accounts, published. Реестр: lines, file, houses_created, houses_updated, "
                       "premises_created, …, meters_updated")  # fmt: skip
    error = s.CharField(help_text="Почему задание не выполнено (по-русски); пусто, если выполнено")


def _external_org(request, what: str = "месяц"):
    organisation = request.user.organisation
    if not organisation.external_billing:
        raise ApiError(
            f"Организация ведёт собственный расчёт в Абоненте: {what} из внешнего биллинга не загружается.",
            "own_billing",
            status_code=403,
        )
    return organisation


class OrgMonthImport(ApiView):
    permission_classes = [OrgScopeRequired]
    org_scope = OrgScope.IMPORT

    @extend_schema(
        tags=TAGS, summary="Загрузить месяц из внешнего биллинга", request={"multipart/form-data": MonthImportIn},
        description="Файл проверяется и записывается в фоне; ответ — номер задания, его состояние — "
        "GET /api/v1/org/jobs/<id>/. Отклонённый файл не меняет ничего, причины — в error задания.",
        responses={202: JobOut, **ERRORS},
    )  # fmt: skip
    def post(self, request):
        organisation = _external_org(request)
        body = MonthImportIn(data=request.data)
        body.is_valid(raise_exception=True)
        month = parse_ru_month(body.validated_data["month"])
        if month is None:
            raise ApiError("Месяц — ГГГГ-ММ, например 2026-10.", "bad_month", fields={"month": ["Неверный месяц."]})
        upload = _checked_size(body.validated_data["file"])
        job = month_import_start(
            organisation=organisation, month=month, data=upload.read(), file_name=upload.name,
            publish=body.validated_data["publish"], channel="api",
        )  # fmt: skip
        return Response(JobOut(job).data, status=202)


def _checked_size(upload):
    if upload.size > MAX_FILE:
        raise ApiError(f"Файл больше {MAX_FILE // 2**20} МБ.", "file_too_large")
    return upload


class OrgRegisterImport(ApiView):
    permission_classes = [OrgScopeRequired]
    org_scope = OrgScope.IMPORT  # the same integration (the external billing) sends the month and the register

    @extend_schema(
        tags=TAGS, summary="Загрузить реестр из внешнего биллинга", request={"multipart/form-data": RegisterImportIn},
        description="Дома, помещения, лицевые счета и приборы учёта одним файлом, по естественным ключам (ФИАС/адрес, "
        "номер помещения, номер счёта, номер прибора): новые добавляются, изменённые обновляются. Файл проверяется "
        "и записывается в фоне; ответ — номер задания, его состояние — GET /api/v1/org/jobs/<id>/. Отклонённый "
        "файл не меняет ничего, причины с номерами строк — в error задания.",
        responses={202: JobOut, **ERRORS},
    )  # fmt: skip
    def post(self, request):
        organisation = _external_org(request, "реестр")
        body = RegisterImportIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = _checked_size(body.validated_data["file"])
        job = register_start(organisation=organisation, data=upload.read(), file_name=upload.name, channel="api")
        return Response(JobOut(job).data, status=202)


class OrgJob(ApiView):
    permission_classes = [OrgScopeRequired]
    org_scope = OrgScope.IMPORT

    @extend_schema(tags=TAGS, summary="Состояние загрузки месяца или реестра", responses={200: JobOut, **READ_ERRORS})
    def get(self, request, job_id):
        job = Job.objects.filter(
            pk=parse_id(job_id) or 0, organisation_id=request.user.organisation_id, kind__in=(MONTH_IMPORT, REGISTER)
        ).first()
        if job is None:
            raise Http404
        return Response(JobOut(job).data)
