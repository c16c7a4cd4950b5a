from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CHAT_KINDS, Kind


class NotificationsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Присылать мне на e-mail"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    chat_kinds = forms.MultipleChoiceField(
        label=_("Присылать в мессенджер"),
        choices=[(kind.value, kind.label) for kind in CHAT_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, with_chat: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_chat:  # no linked chat: nothing to choose, and a POST must not turn its notices off
            del self.fields["chat_kinds"]
