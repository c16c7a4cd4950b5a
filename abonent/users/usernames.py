"""A login is written in one script: `ivanov` or `иванов`, never `ivаnov` with a Cyrillic «а».

Mixed logins look like someone else's (an operator reading the list, a subscriber reading a slip cannot tell
them apart) and are the usual way to impersonate an account. The check is by the script of each letter as
Unicode names it (unicodedata, no extra dependency): it is exactly the rule we want, one script per login,
whereas a confusables table (confusable-homoglyphs) answers a different question, whether a string looks
like some other, and would still let through mixes whose letters happen to have no look-alike.
Digits and the symbols @ . + - _ belong to no script and are allowed with any.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIXED_SCRIPTS = _(
    "Логин пишется буквами одного алфавита: только латиницей или только кириллицей, без смешения похожих букв."
)


def scripts_of(value: str) -> set[str]:
    """The scripts of the letters: the first word of each letter's Unicode name (LATIN, CYRILLIC, GREEK…)."""
    return {unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0] for ch in value if ch.isalpha()}


def username_single_script(value: str) -> None:
    if len(scripts_of(value or "")) > 1:
        raise ValidationError(MIXED_SCRIPTS, code="mixed_scripts")
