from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class NotificationsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Присылать мне на e-mail"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
