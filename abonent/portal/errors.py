"""Error answers in Russian: Django's own are English or empty, and a number out of range is the client's error.

Django's handlers render our 400.html/403.html/404.html/500.html; what is left is here:
- CSRF failures (CSRF_FAILURE_VIEW) get a Russian page saying what to do, not Django's English one;
- a 4xx with an empty body (require_http_methods' 405, a captcha's 410) gets a short Russian page;
- an OverflowError is a 400: Python's int is unbounded but the database's is not, so a 20-digit number that
  reaches a query (a third-party admin's filter, a many-to-many choice) fails there. Our own code refuses such
  values first (portal.inputs.parse_id); this is the net under what we do not control.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import bad_request


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def _empty_page_texts(status: int) -> tuple[str, str]:
    texts = {
        405: (_("Так страницу не открыть"), _("Эта страница принимает только отправку формы (или только просмотр).")),
        410: (_("Больше не действует"), _("Эта ссылка или картинка устарела. Обновите страницу.")),
    }
    return texts.get(status, (_("Запрос не выполнен"), _("Проверьте адрес страницы и попробуйте ещё раз.")))


class RussianErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._is_empty_client_error(response):
            heading, text = _empty_page_texts(response.status_code)
            page = render(
                request,
                "errors/client_error.html",
                {"status": response.status_code, "heading": heading, "text": text},
                status=response.status_code,
            )
            for header in ("Allow",):  # the 405's list of methods stays
                if header in response:
                    page[header] = response[header]
            return page
        return response

    @staticmethod
    def _is_empty_client_error(response) -> bool:
        return (
            400 <= response.status_code < 500
            and not response.streaming
            and not response.content
            and response.get("Content-Type", "").startswith("text/html")
        )

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OverflowError):
            return bad_request(request, exception)
        return None
