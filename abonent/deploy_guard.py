"""Refusals at start-up: with DEBUG=0 the app does not run on a key anyone can read in the repository, nor take
money through the test acquirer unless a staging site asks for it, nor start without the real provider's
credentials. Called from settings.py, so gunicorn, manage.py and celery all stop before serving anything."""

from django.core.exceptions import ImproperlyConfigured

# Written in the repository: good for a laptop, known to everybody.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
DEV_SIGNING_KEY = "dev-only-sandbox-signing-key"
MIN_KEY_LENGTH = 50  # what Django's own check --deploy (security.W009) asks of SECRET_KEY
PROVIDERS = ("yookassa", "sandbox")


def _key_refusal(name: str, value: str, dev_value: str) -> str | None:
    if not value:
        return f"{name} не задан: с DEBUG=0 нужен собственный ключ (см. docs/DEPLOYMENT.md)."
    if value == dev_value:
        return f"{name} совпадает с ключом разработки из репозитория: задайте собственный."
    if len(value) < MIN_KEY_LENGTH or len(set(value)) < 5:
        return f"{name} слишком короткий: нужна случайная строка не короче {MIN_KEY_LENGTH} символов."
    return None


def refusals(s: dict) -> list[str]:
    """What is wrong with the settings namespace `s` for production; empty with DEBUG=1."""
    provider = s["PAYMENTS_PROVIDER"]
    if provider not in PROVIDERS:
        return [f"PAYMENTS_PROVIDER={provider!r}: допустимы yookassa или sandbox."]
    if s["DEBUG"]:
        return []
    problems = [_key_refusal("SECRET_KEY", s["SECRET_KEY"], DEV_SECRET_KEY)]
    if provider == "sandbox" and not s["PAYMENTS_SANDBOX_ALLOWED"]:
        problems.append(
            "PAYMENTS_PROVIDER=sandbox при DEBUG=0: тестовый эквайер не списывает деньги. Для боевого сайта "
            "задайте PAYMENTS_PROVIDER=yookassa, для тестового стенда — PAYMENTS_SANDBOX_ALLOWED=1."
        )
    if provider == "yookassa" and not (s["PAYMENTS_YOOKASSA_SHOP_ID"] and s["PAYMENTS_YOOKASSA_SECRET_KEY"]):
        problems.append("PAYMENTS_PROVIDER=yookassa: задайте YOOKASSA_SHOP_ID и YOOKASSA_SECRET_KEY.")
    if s["PAYMENTS_SANDBOX_ALLOWED"]:
        problems.append(_key_refusal("PAYMENTS_SIGNING_KEY", s["PAYMENTS_SIGNING_KEY"], DEV_SIGNING_KEY))
    return [p for p in problems if p]


def refuse_unsafe(s: dict) -> None:
    problems = refusals(s)
    if problems:
        raise ImproperlyConfigured("Небезопасные настройки production:\n- " + "\n- ".join(problems))
