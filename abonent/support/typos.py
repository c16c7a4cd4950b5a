""" "Заметили ошибку в тексте? Выделите её мышкой и нажмите Ctrl+Enter": storing what a visitor reports.

Anyone may report, logged in or not, so the reports are counted per IP (users.ratelimit) before anything else.
The page is kept as a path of this site only; the organisation whose page it is comes from that path, so the
report reaches that organisation's operators (their public pages by code, a subscriber's own account pages).
"""

from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from abonent.lib.inputs import clean_text, parse_id
from abonent.news.models import News
from abonent.orgs.models import Organisation
from abonent.users import ratelimit
from abonent.users.models import AccountLink

from .models import Appeal, TypoReport

# (limit, window in seconds): a reader who finds ten typos in an hour is thanked; a script is stopped.
TYPO_PER_IP = (10, 60 * 60)


class TooManyReports(Exception):
    message = "Слишком много сообщений об ошибках с вашего адреса. Попробуйте через час."


def _field(text, max_length: int, field: str) -> str:
    text = clean_text(text, max_length, field=field)
    if "\x00" in text:  # PostgreSQL keeps no NUL in text; a form would refuse it too
        raise ValidationError({field: _("Текст содержит недопустимый символ.")})
    return text


def page_path(url: str, host: str) -> str:
    """The path (and query) of a page of this site, from the address the browser reported."""
    url = _field(url, TypoReport.URL_MAX, "url")
    parts = urlsplit(url)
    foreign = parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != host)
    # The operator opens it from the back office: "//host" and "/\\host" would lead a browser off the site.
    odd = "\\" in url or any(char.isspace() or not char.isprintable() for char in url) or parts.path.startswith("//")
    if foreign or odd or not parts.path.startswith("/"):
        raise ValidationError({"url": _("Сообщить можно только об ошибке на страницах этого сайта.")})
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _organisation_by_code(code) -> Organisation | None:
    return Organisation.objects.filter(code=code).first() if isinstance(code, str) else None


def page_organisation(path: str, user) -> Organisation | None:
    """Whose page `path` is: an organisation's public page, or a page of the user's own account or appeal."""
    address = urlsplit(path)
    try:
        kwargs = resolve(address.path).kwargs
    except Resolver404:
        return None
    user_id = user.pk if user is not None and user.is_authenticated else None
    if "code" in kwargs:
        return _organisation_by_code(kwargs["code"])
    if "account_id" in kwargs and user_id:
        link = AccountLink.objects.filter(user_id=user_id, account_id=parse_id(kwargs["account_id"])).first()
        return link.account.organisation if link else None
    if "appeal_id" in kwargs and user_id:
        appeal = Appeal.objects.filter(author_id=user_id, pk=parse_id(kwargs["appeal_id"])).first()
        return appeal.organisation if appeal else None
    if "news_id" in kwargs:
        news = News.objects.filter(pk=parse_id(kwargs["news_id"])).select_related("organisation").first()
        return news.organisation if news else None
    chosen = parse_qs(address.query).get("org")
    return _organisation_by_code(chosen[0]) if chosen else None


def typo_report_create(*, text, context, url, comment, user, ip: str, host: str) -> TypoReport:
    """Store one report, or ValidationError in Russian (nothing stored), or TooManyReports."""
    if not ratelimit.hit("typo", ip, TYPO_PER_IP):
        raise TooManyReports(TooManyReports.message)
    errors: dict[str, list[str]] = {}
    values = {}
    checks = (
        ("text", text, TypoReport.TEXT_MAX),
        ("context", context, TypoReport.CONTEXT_MAX),
        ("comment", comment, TypoReport.COMMENT_MAX),
    )
    for field, value, max_length in checks:
        try:
            values[field] = _field(value, max_length, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        values["url"] = page_path(url, host)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors and not values["text"]:
        errors["text"] = [_("Выделите на странице текст с ошибкой.")]
    if errors:
        raise ValidationError(errors)
    author = user if user is not None and user.is_authenticated else None
    return TypoReport.objects.create(**values, user=author, organisation=page_organisation(values["url"], author))
