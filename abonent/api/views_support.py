"""A resident's appeals (with attachments) and paid-service requests, through support.services and
support.access: only the author's own, internal notes never shown, another's answers 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from abonent.support import access, selectors, services

from . import serializers
from .base import ERRORS, FROM, PAGE, READ_ERRORS, TO, ApiView, date_range, page_of, paginated
from .errors import from_django

TAGS = ["Обращения"]
PAID = ["Платные услуги"]


def _attachment(a) -> dict:
    return {
        "id": a.pk,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "url": reverse("api:attachment", args=[a.pk]),
    }


def _detail(appeal) -> dict:
    data = serializers.AppealOut(appeal).data
    messages = [
        {
            "id": m.pk,
            "kind": m.kind,
            "text": m.text,
            "created_at": m.created_at,
            "attachments": [_attachment(a) for a in m.attachments.all()],
        }
        for m in appeal.public_messages
    ]
    data["messages"] = serializers.MessageOut(messages, many=True).data
    return data


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except ValidationError as exc:
        raise from_django(exc) from exc


class Appeals(ApiView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=TAGS, operation_id="appeals_list", summary="Мои обращения", parameters=[FROM, TO, *PAGE],
        responses={200: page_of(serializers.AppealOut), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request):
        return paginated(request, date_range(selectors.appeals_of(request.user), request, "created_at__date"),
                         serializers.AppealOut, self)  # fmt: skip

    @extend_schema(
        tags=TAGS, summary="Написать обращение (можно с файлами: multipart/form-data, поле files)",
        request={"multipart/form-data": serializers.AppealIn, "application/json": serializers.AppealIn},
        responses={201: serializers.AppealDetail, **ERRORS},
    )  # fmt: skip
    def post(self, request):
        body = serializers.AppealIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        appeal = _service(
            services.appeal_create, user=request.user, account_id=data["account"], topic=data["topic"],
            text=data["text"], contact=data["contact"], files=request.FILES.getlist("files"),
        )  # fmt: skip
        return Response(_detail(access.appeal_for_subscriber(request.user, appeal.pk)), status=201)


class AppealDetail(ApiView):
    @extend_schema(
        tags=TAGS, summary="Обращение с перепиской", responses={200: serializers.AppealDetail, **READ_ERRORS}
    )
    def get(self, request, appeal_id):
        return Response(_detail(access.appeal_for_subscriber(request.user, appeal_id)))


class AppealMessages(ApiView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=TAGS, summary="Дописать в обращение",
        request={"multipart/form-data": serializers.ReplyIn, "application/json": serializers.ReplyIn},
        responses={201: serializers.AppealDetail, **ERRORS},
    )  # fmt: skip
    def post(self, request, appeal_id):
        appeal = access.appeal_for_subscriber(request.user, appeal_id)
        body = serializers.ReplyIn(data=request.data)
        body.is_valid(raise_exception=True)
        _service(services.appeal_reply, appeal=appeal, user=request.user, text=body.validated_data["text"],
                 files=request.FILES.getlist("files"))  # fmt: skip
        return Response(_detail(access.appeal_for_subscriber(request.user, appeal_id)), status=201)


class AttachmentFile(ApiView):
    @extend_schema(
        tags=TAGS, summary="Файл вложения",
        responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="Файл как загружен"), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request, attachment_id):
        found = access.attachment_for(request.user, attachment_id)
        response = FileResponse(found.file.open("rb"), content_type=found.content_type, as_attachment=True,
                                filename=found.original_name)  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PaidServices(ApiView):
    @extend_schema(tags=PAID, summary="Каталог платных услуг организаций моих счетов",
                   responses={200: serializers.PaidServiceOut(many=True), **READ_ERRORS})  # fmt: skip
    def get(self, request):
        found = [service for _, services_ in selectors.catalogue_for(request.user) for service in services_]
        return Response(serializers.PaidServiceOut(found, many=True).data)


class PaidRequests(ApiView):
    @extend_schema(
        tags=PAID, operation_id="paid_requests_list", summary="Мои заявки на платные услуги", parameters=[FROM, TO, *PAGE],
        responses={200: page_of(serializers.PaidRequestOut), **READ_ERRORS},
    )  # fmt: skip
    def get(self, request):
        return paginated(request, date_range(selectors.requests_of(request.user), request, "created_at__date"),
                         serializers.PaidRequestOut, self)  # fmt: skip

    @extend_schema(tags=PAID, summary="Заказать платную услугу", request=serializers.PaidRequestIn,
                   responses={201: serializers.PaidRequestOut, **ERRORS})  # fmt: skip
    def post(self, request):
        body = serializers.PaidRequestIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = _service(
            services.paid_request_create, user=request.user, account_id=data["account"], service_id=data["service"],
            desired_date=data["desired_date"], comment=data["comment"], contact=data["contact"],
        )  # fmt: skip
        return Response(serializers.PaidRequestOut(access.request_for_subscriber(request.user, created.pk)).data,
                        status=201)  # fmt: skip


class PaidRequestDetail(ApiView):
    @extend_schema(tags=PAID, summary="Заявка на платную услугу",
                   responses={200: serializers.PaidRequestOut, **READ_ERRORS})  # fmt: skip
    def get(self, request, request_id):
        return Response(serializers.PaidRequestOut(access.request_for_subscriber(request.user, request_id)).data)
