"""Every error of the API is {"error": {"code", "message", "fields"?}}: a stable machine code for programs and a
Russian message for people. DRF's own (English) messages are replaced by ours by exception type."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

# DRF exception → (code, Russian message when the exception carries DRF's default English one)
KNOWN = {
    exceptions.NotAuthenticated: ("not_authenticated", "Нужен токен: заголовок Authorization: Bearer <токен>."),
    exceptions.AuthenticationFailed: ("authentication_failed", "Токен недействителен или отозван."),
    exceptions.PermissionDenied: ("permission_denied", "Недостаточно прав."),
    exceptions.NotFound: ("not_found", "Не найдено."),
    exceptions.MethodNotAllowed: ("method_not_allowed", "Этот метод здесь не поддерживается."),
    exceptions.NotAcceptable: ("not_acceptable", "Ответ бывает только в формате JSON (или PDF, где указано)."),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "Тело запроса — JSON или multipart/form-data."),
    exceptions.Throttled: ("throttled", "Слишком много запросов. Повторите позже."),
    exceptions.ParseError: ("parse_error", "Тело запроса не разобрать: проверьте JSON."),
    exceptions.ValidationError: ("validation_error", "Проверьте данные запроса."),
}


class ApiError(exceptions.APIException):
    """A refusal of a service, with its own code: "reading_decreased", "payment_refused", …"""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, code: str, *, fields: dict | None = None, status_code: int | None = None,
                 extra: dict | None = None):  # fmt: skip
        super().__init__(message, code)
        self.message, self.error_code, self.fields, self.extra = message, code, fields, extra or {}
        if status_code:
            self.status_code = status_code


def _fields(detail) -> dict:
    """DRF's {field: [ErrorDetail]} as {field: ["текст"]}, nested lists and dicts kept."""
    if isinstance(detail, dict):
        return {key: _fields(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_fields(item) for item in detail]
    return str(detail)


def _body(exc) -> dict:
    if isinstance(exc, ApiError):
        body = {"code": exc.error_code, "message": exc.message, **exc.extra}
        if exc.fields:
            body["fields"] = exc.fields
        return body
    code, message = next(((c, m) for kind, (c, m) in KNOWN.items() if isinstance(exc, kind)), ("error", "Ошибка."))
    body = {"code": code, "message": message}
    if isinstance(exc, exceptions.ValidationError):
        body["fields"] = (
            _fields(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": _fields(exc.detail)}
        )
    elif isinstance(exc, exceptions.Throttled):
        body["retry_after"] = int(exc.wait or 1)
    elif _is_ours(exc.detail):
        body["message"] = str(exc.detail)
    return body


def _is_ours(detail) -> bool:
    """Our own messages are Russian; DRF's defaults are English and get replaced."""
    text = str(detail)
    return any("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text)


def from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError ({field: [messages]} or a list) as the API's validation error."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # anything else is a bug: Django's 500, logged
    return Response({"error": _body(exc)}, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict:
    return {name: response[name] for name in ("WWW-Authenticate", "Retry-After", "Allow") if name in response}
