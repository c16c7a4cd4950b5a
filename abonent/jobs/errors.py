"""The text a failed job shows the operator: in Russian, whatever raised."""

from . import registry


def error_text(kind_name: str, exc: BaseException) -> str:
    try:
        user_errors = registry.get(kind_name).user_errors
    except LookupError:
        user_errors = ()
    if isinstance(exc, user_errors):
        return str(exc)[:2000]
    detail = f"{type(exc).__name__}: {exc}"[:500]
    return (
        "Задание остановилось из-за внутренней ошибки. Нажмите «Повторить»; если ошибка повторится, "
        f"сообщите администратору. Подробности: {detail}"
    )
