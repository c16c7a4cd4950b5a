"""Where an organisation's answer is mailed: the "Контакт для ответа" the subscriber gave when it is an e-mail
address, else the e-mail of their cabinet. A phone number as the contact means "call me"; the letter then still
goes to the cabinet's e-mail, and the answer is in the cabinet either way."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def reply_address(*, contact: str, user) -> str:
    candidate = (contact or "").strip()
    try:
        validate_email(candidate)
    except ValidationError:
        return user.email or ""
    return candidate
