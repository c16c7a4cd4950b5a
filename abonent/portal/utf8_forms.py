"""Form bodies must be UTF-8: anything else is refused with a Russian 400 page, before any view sees it.

Django decodes a body with errors="replace", so bytes that are not UTF-8 reach forms as U+FFFD and would be saved
that way: an address or an appeal nobody can read back. Our pages are UTF-8 and browsers send forms in the page's
encoding, so such a body comes from a broken or hostile client; refusing it (rather than storing the replacement
characters, or guessing another encoding) keeps the data readable and tells the sender what is wrong.

An urlencoded body is checked byte for byte (strict decoding). A multipart body is not read twice (it may carry
files of megabytes), so there its text fields are checked for U+FFFD after Django's own parsing.
"""

from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from abonent.lib.inputs import REPLACEMENT


def _urlencoded_is_utf8(body: bytes) -> bool:
    try:
        parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def body_is_utf8(request: HttpRequest) -> bool:
    if request.method not in ("POST", "PUT", "PATCH"):
        return True
    kind = request.content_type or ""
    if kind == "application/x-www-form-urlencoded":
        return _urlencoded_is_utf8(request.body)
    if kind == "multipart/form-data":
        return not any(REPLACEMENT in value for values in request.POST.lists() for value in values[1])
    return True  # JSON and other bodies are the business of the view that reads them (payment notices)


class Utf8FormsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not body_is_utf8(request):
            context = {
                "status": 400,
                "heading": _("Форма отправлена не в кодировке UTF-8"),
                "text": _(
                    "В отправленном тексте нечитаемые символы, поэтому ничего не сохранено. "
                    "Вернитесь на страницу, введите текст заново и отправьте форму ещё раз."
                ),
            }
            return render(request, "errors/client_error.html", context, status=400)
        return self.get_response(request)
