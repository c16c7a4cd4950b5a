"""Applications in the back office, scoped to the operator's organisation. The decision is made in the change
form: the service runs while the form is validated (inside the admin's transaction, in a savepoint), so a refused
decision — an unknown account, a login taken, no reason given — is the form's Russian error, never a 500."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path

from . import services
from .models import CabinetApplication, ConnectionApplication

register_org_path("applications.CabinetApplication", "organisation")
register_org_path("applications.ConnectionApplication", "organisation")


def _apply(form, action) -> None:
    try:
        with transaction.atomic():
            action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)


class CabinetDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Решение"),
        required=False,
        choices=[("", "—"), ("accept", _("Выдать доступ")), ("refuse", _("Отказать"))],
    )
    login = forms.CharField(
        label=_("Логин"), required=False, max_length=150, help_text=_("Пусто — логином станет номер лицевого счёта.")
    )
    reason = forms.CharField(
        label=_("Причина отказа"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    operator = None  # set by the admin: who decides

    class Meta:
        model = CabinetApplication
        fields = []

    def clean(self):
        data = super().clean()
        decision, app = data.get("decision"), self.instance
        if decision == "accept":
            _apply(
                self,
                lambda: services.cabinet_application_accept(
                    application=app, operator=self.operator, login=data.get("login", "")
                ),
            )
        elif decision == "refuse":
            _apply(
                self,
                lambda: services.cabinet_application_refuse(
                    application=app, operator=self.operator, reason=data.get("reason", "")
                ),
            )
        return data


def _documents(obj) -> str:
    rows = [(reverse("applications:document", args=[d.pk]), d.original_name) for d in obj.documents.all()]
    return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', rows) if rows else "—"


def _created_local(obj) -> str:
    return timezone.localtime(obj.created_at, obj.organisation.tz).strftime("%d.%m.%Y %H:%M")


@admin.register(CabinetApplication)
class CabinetApplicationAdmin(OrgScopedAdmin):
    form = CabinetDecisionForm
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("__str__", "created", "status")
    list_filter = ("status",)
    search_fields = ("=id", "account_number", "full_name", "email")
    readonly_fields = (
        "created",
        "account_number",
        "full_name",
        "email",
        "phone",
        "address",
        "documents",
        "status",
        "user",
        "refusal_reason",
    )
    fieldsets = (
        (None, {"fields": readonly_fields}),
        (_("Рассмотрение"), {"fields": ("decision", "login", "reason")}),
    )

    def has_add_permission(self, request):
        return False  # filed by applicants on the site

    @admin.display(description=_("подано"), ordering="created_at")
    def created(self, obj):
        return _created_local(obj)

    @admin.display(description=_("копии документов"))
    def documents(self, obj):
        return _documents(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"operator": request.user})

    def save_model(self, request, obj, form, change):
        obj.refresh_from_db()  # the decision was saved by the service while the form was checked


class ConnectionStatusForm(forms.ModelForm):
    new_status = forms.ChoiceField(label=_("Новый статус"), choices=ConnectionApplication.Status.choices)
    comment = forms.CharField(
        label=_("Комментарий заявителю"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Заявитель увидит его на странице заявки и получит письмо."),
    )
    operator = None

    class Meta:
        model = ConnectionApplication
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].initial = self.instance.status

    def clean(self):
        data = super().clean()
        status, comment = data.get("new_status"), (data.get("comment") or "").strip()
        if status and (status != self.instance.status or comment):
            _apply(
                self,
                lambda: services.connection_status_set(
                    application=self.instance, operator=self.operator, status=status, comment=comment
                ),
            )
        return data


@admin.register(ConnectionApplication)
class ConnectionApplicationAdmin(OrgScopedAdmin):
    form = ConnectionStatusForm
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("__str__", "created", "kind", "status")
    list_filter = ("status", "kind")
    search_fields = ("=id", "object_address", "applicant", "email")
    readonly_fields = (
        "created",
        "applicant",
        "email",
        "phone",
        "object_address",
        "kind",
        "load",
        "documents",
        "status",
        "history",
    )
    fieldsets = ((None, {"fields": readonly_fields}), (_("Смена статуса"), {"fields": ("new_status", "comment")}))

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("подана"), ordering="created_at")
    def created(self, obj):
        return _created_local(obj)

    @admin.display(description=_("документы"))
    def documents(self, obj):
        return _documents(obj)

    @admin.display(description=_("история"))
    def history(self, obj):
        rows = [
            (
                timezone.localtime(c.at, obj.organisation.tz).strftime("%d.%m.%Y %H:%M"),
                c.get_status_display(),
                c.comment,
            )
            for c in obj.changes.all()
        ]
        return format_html_join(mark_safe("<br>"), "{} — {}: {}", rows) if rows else "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"operator": request.user})

    def save_model(self, request, obj, form, change):
        obj.refresh_from_db()
