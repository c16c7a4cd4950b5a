"""What every API view shares: token authentication and scopes (settings.REST_FRAMEWORK), no caching of personal
answers, query parameters read with Russian errors."""

from __future__ import annotations

import datetime as dt

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers as s
from rest_framework.views import APIView

from abonent.lib.inputs import parse_ru_date, parse_ru_month

from . import serializers
from .errors import ApiError
from .pagination import Pages

ERRORS = {
    400: OpenApiResponse(serializers.ErrorBody, description="Ошибка в запросе"),
    401: OpenApiResponse(serializers.ErrorBody, description="Нет токена или он отозван"),
    403: OpenApiResponse(serializers.ErrorBody, description="Недостаточно прав токена"),
    404: OpenApiResponse(serializers.ErrorBody, description="Не найдено (в том числе чужое)"),
    422: OpenApiResponse(serializers.ErrorBody, description="Idempotency-Key уже использован для другого запроса"),
    429: OpenApiResponse(serializers.ErrorBody, description="Превышен лимит запросов"),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 401, 403, 404, 429)}


def responses(ok: dict) -> dict:
    return {**ok, **ERRORS}


FROM = OpenApiParameter("from", str, description="С даты (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)", required=False)
TO = OpenApiParameter("to", str, description="По дату включительно", required=False)
FROM_MONTH = OpenApiParameter("from", str, description="С месяца (ГГГГ-ММ или ММ.ГГГГ)", required=False)
TO_MONTH = OpenApiParameter("to", str, description="По месяц включительно", required=False)
PAGE = [
    OpenApiParameter("page", int, required=False, description="Номер страницы"),
    OpenApiParameter("page_size", int, required=False, description="Строк на странице, до 200"),
]


class ApiView(APIView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)  # a person's figures never stay in a proxy's or a browser's cache
        return response


def day_param(request, name: str) -> dt.date | None:
    text = request.query_params.get(name)
    if not text:
        return None
    day = parse_ru_date(text)
    if day is None:
        raise ApiError(f"Параметр «{name}»: нужна дата ГГГГ-ММ-ДД, например 2024-08-31.", "bad_date")
    return day


def month_param(request, name: str) -> dt.date | None:
    text = request.query_params.get(name)
    if not text:
        return None
    month = parse_ru_month(text)
    if month is None:
        raise ApiError(f"Параметр «{name}»: нужен месяц ГГГГ-ММ, например 2024-08.", "bad_month")
    return month


def date_range(queryset, request, field: str):
    """?from= and ?to= (dates, both inclusive) on `field`; the start after the end is an error, not an empty list."""
    first, last = day_param(request, "from"), day_param(request, "to")
    if first and last and first > last:
        raise ApiError("Начало периода позже его конца: поменяйте даты местами.", "bad_range")
    if first:
        queryset = queryset.filter(**{f"{field}__gte": first})
    if last:
        queryset = queryset.filter(**{f"{field}__lte": last})
    return queryset


def paginated(request, queryset, serializer_class, view=None):
    pages = Pages()
    page = pages.paginate_queryset(queryset, request, view=view)
    return pages.get_paginated_response(serializer_class(page, many=True, context={"request": request}).data)


_PAGES: dict[type, type] = {}


def page_of(serializer_class) -> type:
    """The schema of a page of `serializer_class`: count, next, previous, results."""
    if serializer_class not in _PAGES:
        fields = {
            "count": s.IntegerField(),
            "next": s.CharField(allow_null=True),
            "previous": s.CharField(allow_null=True),
            "results": serializer_class(many=True),
        }
        _PAGES[serializer_class] = type(f"{serializer_class.__name__}Page", (s.Serializer,), fields)
    return _PAGES[serializer_class]
