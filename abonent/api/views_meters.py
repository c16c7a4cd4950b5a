"""Meters and readings of a resident's account: the readings page's rows, a meter's history, the "Рассчитать
расход" preview, and the save, which (as the page's "Да, передать") needs confirm=true. The checks are the
page's own: metering.forms.ReadingsForm.check for the preview, metering.submit.readings_submit for the save."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from abonent.metering import access as metering_access
from abonent.metering import selectors
from abonent.metering.errors import ReadingError
from abonent.metering.forms import ReadingsForm
from abonent.metering.models import Reading
from abonent.metering.submit import Submission, readings_submit
from abonent.users.access import account_for_user

from . import idempotency, serializers
from .base import ERRORS, READ_ERRORS, ApiView
from .errors import ApiError

TAGS = ["Показания"]


class Meters(ApiView):
    @extend_schema(tags=TAGS, summary="Приборы учёта и окно приёма", responses={200: serializers.Meters, **READ_ERRORS})
    def get(self, request, account_id):
        account = account_for_user(request.user, account_id)
        with timezone.override(account.organisation.tz):
            page = selectors.readings_page(account)
            data = serializers.Meters(_page_data(page)).data
        return Response(data)


def _page_data(page) -> dict:
    return {
        "period": page.period,
        "today": page.today,
        "window": {"first": page.window[0], "last": page.window[1]},
        "window_open": page.window_open,
        "can_submit": page.can_submit,
        "next_window": {"first": page.next_window[0], "last": page.next_window[1]},
        "rows": page.rows,
    }


class MeterHistory(ApiView):
    @extend_schema(
        tags=TAGS, summary="История показаний прибора", responses={200: serializers.MeterHistory, **READ_ERRORS}
    )
    def get(self, request, account_id, meter_id):
        account = account_for_user(request.user, account_id)
        meter = metering_access.meter_of_account(account, meter_id)
        with timezone.override(account.organisation.tz):
            months, sent = selectors.meter_history(meter, account.organisation.today())
            data = serializers.MeterHistory({"months": list(reversed(months)), "sent": sent}).data
        return Response(data)


def _form_data(readings: list[dict]) -> dict:
    """The JSON readings as the page's form posts them: value_<id>, rollover_<id>, high_<id>."""
    data = {}
    for item in readings:
        meter = item["meter"]
        data[f"value_{meter}"] = item["value"]
        data[f"rollover_{meter}"] = "1" if item["confirm_rollover"] else ""
        data[f"high_{meter}"] = "1" if item["confirm_high"] else ""
    return data


def _refused(form) -> ApiError:
    """Every meter's refusal at once, each with its code (confirm_rollover / confirm_high: confirm and resend)."""
    problems = [{"meter": e.meter.pk, "code": e.error_code, "message": e.error} for e in form.filled if e.error_code]
    if not problems:
        return ApiError(form.non_field_error or "Показания не приняты.", "readings_refused")
    first = problems[0]
    return ApiError(first["message"], first["code"], extra={"readings": problems})


def _checked(request, account_id):
    """The page's checks without saving: (page, form) once every value sent passes; ApiError otherwise."""
    account = account_for_user(request.user, account_id)
    body = serializers.ReadingsIn(data=request.data)
    body.is_valid(raise_exception=True)
    readings = body.validated_data["readings"]
    if len({r["meter"] for r in readings}) != len(readings):
        raise ApiError("Каждый прибор — один раз в запросе.", "duplicate_meter")
    page = selectors.readings_page(account)
    takes = {row.meter.pk for row in page.rows if row.takes_input}
    for item in readings:
        if item["meter"] not in takes:
            raise ApiError("Такого счётчика на этом лицевом счёте нет или он не принимает показаний.", "unknown_meter")
    if not page.can_submit:
        raise ApiError("Приём показаний закрыт.", "window_closed")
    form = ReadingsForm(page.rows, _form_data(readings))
    if not form.check(organisation=page.organisation, when=timezone.now()):
        raise _refused(form)
    return page, form, readings


def _preview(page, form) -> dict:
    return {
        "period": page.period,
        "readings": [
            {
                "meter": e.meter.pk,
                "value": e.verdict.value,
                "consumption": e.verdict.consumption,
                "cost": e.cost,
                "rollover": e.verdict.rollover,
                "flagged": e.verdict.flagged,
            }
            for e in form.filled
        ],
        "total_cost": form.total_cost,
    }


class ReadingsCalculate(ApiView):
    @extend_schema(
        tags=TAGS, summary="Рассчитать расход (ничего не сохраняется)", request=serializers.ReadingsIn,
        responses={200: serializers.PreviewOut, **ERRORS},
    )  # fmt: skip
    def post(self, request, account_id):
        page, form, _ = _checked(request, account_id)
        return Response(serializers.PreviewOut(_preview(page, form)).data)


class ReadingsSubmit(ApiView):
    @extend_schema(
        tags=TAGS, summary="Передать показания",
        description="Те же проверки, что на странице. Без confirm=true отвечает 409 confirmation_required с "
        "расчётом расхода (шаг «Передать показания? Да / Нет»). Заголовок Idempotency-Key: повтор с тем же "
        "ключом вернёт первый ответ и ничего не запишет второй раз.",
        request=serializers.ReadingsSubmitIn,
        responses={201: serializers.SavedOut, 409: OpenApiResponse(serializers.ErrorBody), **ERRORS},
    )  # fmt: skip
    def post(self, request, account_id):
        return idempotency.once(request, lambda: self._save(request, account_id))

    def _save(self, request, account_id):
        body = serializers.ReadingsSubmitIn(data=request.data)
        body.is_valid(raise_exception=True)
        if not body.validated_data["confirm"]:
            page, form, _ = _checked(request, account_id)  # the page's checks, then "Передать? Да / Нет"
            raise ApiError(
                "Подтвердите передачу показаний: отправьте тот же запрос с confirm=true.",
                "confirmation_required",
                status_code=409,
                extra={"preview": serializers.PreviewOut(_preview(page, form)).data},
            )
        # The confirmed save, as the page's: every check runs again under the meters' locks in readings_submit
        # (window, closed month, this premises' meters only, each value), so nothing is read first.
        organisation, premises_id = metering_access.organisation_and_premises(request.user, account_id)
        readings = body.validated_data["readings"]
        if len({r["meter"] for r in readings}) != len(readings):
            raise ApiError("Каждый прибор — один раз в запросе.", "duplicate_meter")
        submissions = [
            Submission(r["meter"], r["value"].strip()[:40], r["confirm_rollover"], r["confirm_high"]) for r in readings
        ]
        try:
            saved = readings_submit(
                organisation=organisation,
                submissions=submissions,
                user=request.user,
                channel=Reading.Channel.PORTAL,
                premises_id=premises_id,
            )
        except ReadingError as exc:
            raise ApiError(exc.text, exc.code, extra={"readings": [{"code": exc.code, "message": exc.text}]}) from exc
        return Response(serializers.SavedOut({"readings": saved}).data, status=201)
