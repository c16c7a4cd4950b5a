"""A bank registry from the office: the operator picks a preset or the organisation's own layout (defined on the
layouts page: fields by column, separator, encoding, date format, decimal comma, summary line), sees the first
lines as that layout reads them and what would refuse the file, then confirms: the file kept in the session
between the two steps goes to the same job the admin starts (payments' registry import)."""

import base64
import hashlib

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from abonent.payments.models import RegistryLayout
from abonent.payments.registry_custom import COLUMNS, choices_for, layout_named
from abonent.payments.registry_parse import RegistryError, decode
from abonent.payments.registry_preview import registry_preview
from abonent.payments.tasks import registry_start

from .services import log
from .web import office_page

PENDING = "office_registry_upload"


class RegistryForm(forms.Form):
    file = forms.FileField(label="Файл реестра")
    layout = forms.ChoiceField(label="Формат")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["layout"].choices = choices_for(organisation)

    def clean(self):
        data = super().clean()
        if "file" in data and "layout" in data:
            data["bytes"] = data["file"].read()
            data["parsed_layout"] = layout_named(self.organisation, data["layout"])
            try:
                decode(data["bytes"], data["parsed_layout"])
            except RegistryError as exc:
                self.add_error("file", str(exc))
        return data


class LayoutForm(forms.ModelForm):
    class Meta:
        model = RegistryLayout
        fields = ("title", "encoding", "separator", "date_format", "decimal_comma", *COLUMNS, "summary_prefix",
                  "summary_count", "summary_total")  # fmt: skip

    def clean_title(self):
        """The organisation's constraint is not on the form: checked here so a second «Сбер» is a message."""
        title = self.cleaned_data["title"]
        if RegistryLayout.objects.filter(organisation=self.instance.organisation, title=title).exists():
            raise forms.ValidationError("Формат с таким названием уже есть.")
        return title

    def clean(self):
        data = super().clean()
        taken = [
            n
            for n in ("paid_on", "payment_id", "account", "amount", "summary_count", "summary_total")
            if data.get(n) == 0
        ]
        for name in taken:
            self.add_error(name, "Колонки считаются с 1.")
        return data


def _start(request, data: bytes, file_name: str, layout: str):
    job = registry_start(organisation=request.office.organisation, data=data, file_name=file_name, layout=layout,
                         actor=request.user)  # fmt: skip
    messages.success(request, "Реестр принят в обработку.")
    return redirect("office:job", job.pk)


def _confirm(request):
    """The file the preview showed, if it is still the one the page was made for."""
    pending = request.session.pop(PENDING, None)
    if not pending or pending["checksum"] != request.POST.get("checksum"):
        messages.error(request, "Просмотренный файл не найден: загрузите его ещё раз.")
        return redirect("office:registry_import")
    return _start(request, base64.b64decode(pending["data"]), pending["name"], pending["layout"])


def _preview(request, form):
    data, upload = form.cleaned_data["bytes"], form.cleaned_data["file"]
    checksum = hashlib.sha256(data).hexdigest()
    request.session[PENDING] = {"data": base64.b64encode(data).decode(), "name": upload.name,
                                "layout": form.cleaned_data["layout"], "checksum": checksum}  # fmt: skip
    context = {"preview": registry_preview(data, form.cleaned_data["parsed_layout"]), "checksum": checksum,
               "file_name": upload.name, "layout": form.cleaned_data["parsed_layout"]}  # fmt: skip
    return render(request, "office/registry_preview.html", context)


@office_page("registry_import", methods=("GET", "HEAD", "POST"))
def registry_upload(request):
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = RegistryForm(request.POST or None, request.FILES or None, organisation=request.office.organisation)
    if request.method != "POST" or not form.is_valid():
        return render(request, "office/registry_upload.html", {"form": form}, status=400 if form.errors else 200)
    if "preview" in request.POST:
        return _preview(request, form)
    return _start(request, form.cleaned_data["bytes"], form.cleaned_data["file"].name, form.cleaned_data["layout"])


@office_page("registry_layouts", methods=("GET", "HEAD", "POST"))
def registry_layouts(request):
    organisation = request.office.organisation
    form = LayoutForm(request.POST or None, instance=RegistryLayout(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        own = form.save()
        log(organisation=organisation, actor=request.user, kind="registry_layout", details=own.title)
        messages.success(request, f"Формат «{own.title}» сохранён: выберите его при загрузке реестра.")
        return redirect("office:registry_layouts")
    own = RegistryLayout.objects.filter(organisation=organisation)
    return render(request, "office/registry_layouts.html", {"form": form, "layouts": own},
                  status=400 if form.errors else 200)  # fmt: skip
