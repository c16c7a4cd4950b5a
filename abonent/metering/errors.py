"""The refusal of a reading: every check, the window and the file import raise it with the Russian reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ReadingError(ValidationError):
    """A reading refused, with the Russian message to show. `code` says whether a confirmation would let it pass:
    "confirm_rollover" and "confirm_high" do, every other code does not."""

    def __init__(self, message, code="invalid", params=None):
        super().__init__(message, code=code, params=params)

    @property
    def text(self) -> str:
        return self.messages[0]
