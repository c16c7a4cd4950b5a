"""A service's ValidationError shown on the form that called it: a service checks what its form checks, and the
person sees the message beside the field it names (or above the form when it names none)."""

from django.core.exceptions import ValidationError


def apply_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
