"""The news item as an operator types it: the model's own fields and checks, the date as the site writes dates."""

from django import forms

from abonent.lib.inputs import RuDateField, refuse_undecodable

from .models import News


class NewsForm(forms.ModelForm):
    published_on = RuDateField(label="Опубликовать с", help_text="До этой даты новость не видна абонентам.")

    class Meta:
        model = News
        fields = ("title", "body", "published_on", "pinned")
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        refuse_undecodable(title)
        return title

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        refuse_undecodable(body)
        return body
