"""Operators' inbox: appeals and paid-service requests of their organisation, replies, notes, templates.

Every change goes through support.services, so the subscriber's e-mail, the status rules and the checks of who
may act are the same as everywhere else.
"""

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from abonent.housing.admin import BuildingFilter
from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, user_organisation_id

from . import services
from .models import Appeal, AppealTemplate, PaidService, PaidServiceRequest, TypoReport

for label in (
    "support.Appeal",
    "support.AppealTemplate",
    "support.PaidService",
    "support.PaidServiceRequest",
    "support.TypoReport",
):
    register_org_path(label, "organisation")
register_org_path("support.AppealMessage", "appeal__organisation")
register_org_path("support.Attachment", "appeal__organisation")


class AccountBuildingFilter(BuildingFilter):
    building_path = "account__premises__building"


class AgeFilter(admin.SimpleListFilter):
    """How long ago it arrived: the inbox's question "what has waited too long?"."""

    title = _("давность")
    parameter_name = "age"
    RANGES = {"1": (0, 1), "3": (1, 3), "7": (3, 7), "old": (7, None)}

    def lookups(self, request, model_admin):
        return [("1", _("меньше суток")), ("3", _("1–3 дня")), ("7", _("3–7 дней")), ("old", _("больше 7 дней"))]

    def queryset(self, request, queryset):
        if self.value() not in self.RANGES:
            return queryset
        low, high = self.RANGES[self.value()]
        now = timezone.now()
        queryset = queryset.filter(created_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(created_at__gt=now - dt.timedelta(days=high))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("исполнитель")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", _("мне")), ("none", _("не назначен"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset


def _colleagues(request, organisation_id: int | None):
    """Staff of the organisation an item belongs to: the only people it can be given to."""
    org_id = user_organisation_id(request) or organisation_id
    return get_user_model().objects.filter(is_staff=True, is_active=True, organisation_id=org_id).order_by("username")


class AppealAdminForm(forms.ModelForm):
    reply_template = forms.ModelChoiceField(
        label=_("Шаблон ответа"),
        queryset=AppealTemplate.objects.none(),
        required=False,
        help_text=_("Если поле «Ответ абоненту» пустое, будет отправлен текст шаблона."),
    )
    reply = forms.CharField(
        label=_("Ответ абоненту"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Абонент увидит ответ в обращении и получит письмо."),
    )
    note = forms.CharField(
        label=_("Внутренняя заметка"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Видят только сотрудники организации."),
    )

    class Meta:
        model = Appeal
        fields = ["assignee", "status"]

    def clean(self):
        data = super().clean()
        reply = (data.get("reply") or "").strip()
        if not reply and data.get("reply_template"):
            reply = data["reply_template"].text
        data["reply"] = reply
        data["note"] = (data.get("note") or "").strip()
        if reply and self.instance.is_closed and data.get("status") == Appeal.Status.CLOSED:
            self.add_error("reply", _("Обращение закрыто: ответ не отправлен. Сначала смените статус."))
        return data


@admin.register(Appeal)
class AppealAdmin(OrgScopedAdmin):
    form = AppealAdminForm
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("number", "created_local", "topic", "account", "building", "status", "assignee", "days_open")
    list_display_links = ("number", "created_local")
    list_filter = ("status", "topic", AccountBuildingFilter, AgeFilter, AssigneeFilter)
    search_fields = ("=id", "account__number", "text", "contact")
    list_select_related = ("organisation", "account__premises__building", "assignee")

    class Media:
        css = {"all": ["support/admin.css"]}

    readonly_fields = (
        "number",
        "account_info",
        "topic",
        "contact",
        "created_local",
        "days_open",
        "thread",
    )
    fieldsets = (
        (None, {"fields": ("number", "account_info", "topic", "contact", "created_local", "days_open")}),
        (_("Переписка"), {"fields": ("thread",)}),
        (_("Работа с обращением"), {"fields": ("assignee", "status", "reply_template", "reply", "note")}),
    )

    def has_add_permission(self, request):
        return False  # appeals are written by subscribers

    def has_delete_permission(self, request, obj=None):
        return False  # the thread is the organisation's record of what it was asked and answered

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "account__premises__building")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        org_id = obj.organisation_id if obj else None
        form.base_fields["assignee"].queryset = _colleagues(request, org_id)
        form.base_fields["reply_template"].queryset = AppealTemplate.objects.filter(
            organisation_id=user_organisation_id(request) or org_id
        )
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        appeal = Appeal.objects.get(pk=obj.pk)  # the row as it was: the services apply the changes
        if "assignee" in form.changed_data:
            appeal = services.appeal_assign(appeal=appeal, operator=request.user, assignee=data["assignee"])
        if data["note"]:
            services.appeal_note(appeal=appeal, operator=request.user, text=data["note"])
        if "status" in form.changed_data and data["status"] != Appeal.Status.CLOSED:
            appeal = services.appeal_set_status(appeal=appeal, operator=request.user, status=data["status"])
        if data["reply"]:
            services.appeal_answer(appeal=appeal, operator=request.user, text=data["reply"])
        if "status" in form.changed_data and data["status"] == Appeal.Status.CLOSED:
            services.appeal_close(appeal=appeal, user=request.user)
        obj.refresh_from_db()

    @admin.display(description=_("№"), ordering="id")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("поступило"), ordering="created_at")
    def created_local(self, obj):
        return timezone.localtime(obj.created_at, obj.organisation.tz).strftime("%d.%m.%Y %H:%M")

    @admin.display(description=_("дом"))
    def building(self, obj):
        return obj.account.premises.building.address

    @admin.display(description=_("дней открыто"))
    def days_open(self, obj):
        return obj.days_open()

    @admin.display(description=_("лицевой счёт"))
    def account_info(self, obj):
        return format_html(
            "{} — {}, {} (автор: {}, {})",
            obj.account.number,
            obj.account.payer_name,
            obj.account.premises.address,
            obj.author.get_username(),
            obj.author.email or "—",
        )

    @admin.display(description=_("сообщения"))
    def thread(self, obj):
        messages = obj.messages.select_related("author").prefetch_related("attachments").order_by("created_at", "id")
        tz = obj.organisation.tz

        def files(message):
            return format_html_join(
                " ",
                '<a href="{}">{}</a>',
                ((reverse("support:attachment", args=[f.pk]), f.original_name) for f in message.attachments.all()),
            )

        return format_html_join(
            "",
            # Colours per kind live in support/admin.css: no inline style under the Content-Security-Policy.
            '<div class="support-msg support-{}"><b>{}</b> · {} · {}<div>{}</div><div>{}</div></div>',
            (
                (
                    m.kind,
                    m.get_kind_display() + (" — абонент не видит" if m.kind == "note" else ""),
                    m.author.get_username() if m.author else "—",
                    timezone.localtime(m.created_at, tz).strftime("%d.%m.%Y %H:%M"),
                    mark_safe(linebreaks(m.text, autoescape=True)),  # escaped by linebreaks itself
                    files(m),
                )
                for m in messages
            ),
        )


@admin.register(AppealTemplate)
class AppealTemplateAdmin(OrgScopedAdmin):
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("title",)
    search_fields = ("title", "text")


@admin.register(PaidService)
class PaidServiceAdmin(OrgScopedAdmin):
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("name", "price", "unit", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("name",)


class PaidRequestAdminForm(forms.ModelForm):
    class Meta:
        model = PaidServiceRequest
        fields = ["status", "price", "scheduled_date", "assignee", "operator_comment"]


@admin.register(PaidServiceRequest)
class PaidServiceRequestAdmin(OrgScopedAdmin):
    form = PaidRequestAdminForm
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = (
        "number",
        "created_local",
        "service",
        "account",
        "building",
        "desired_date",
        "price",
        "status",
        "assignee",
        "days_open",
    )
    list_display_links = ("number", "created_local")
    list_filter = (
        "status",
        ("service", admin.RelatedOnlyFieldListFilter),
        AccountBuildingFilter,
        AgeFilter,
        AssigneeFilter,
    )
    search_fields = ("=id", "account__number", "comment", "contact")
    list_select_related = ("organisation", "service", "account__premises__building", "assignee")
    readonly_fields = (
        "number",
        "service",
        "account_info",
        "desired_date",
        "contact",
        "comment",
        "created_local",
        "days_open",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "service",
                    "account_info",
                    "desired_date",
                    "contact",
                    "comment",
                    "created_local",
                    "days_open",
                )
            },
        ),
        (_("Работа с заявкой"), {"fields": ("status", "price", "scheduled_date", "assignee", "operator_comment")}),
    )
    number = AppealAdmin.number
    created_local = AppealAdmin.created_local
    building = AppealAdmin.building
    days_open = AppealAdmin.days_open
    account_info = AppealAdmin.account_info

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["assignee"].queryset = _colleagues(request, obj.organisation_id if obj else None)
        return form

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in PaidRequestAdminForm.Meta.fields
        }
        services.paid_request_update(
            request=PaidServiceRequest.objects.get(pk=obj.pk), operator=request.user, **changes
        )
        obj.refresh_from_db()


@admin.register(TypoReport)
class TypoReportAdmin(OrgScopedAdmin):
    """Typos visitors reported (Ctrl+Enter on a page): an operator sees their organisation's pages; a superuser
    sees all, those of the site's own pages (no organisation) among them. Read and delete once fixed."""

    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("created_at", "text", "comment", "page_link", "user")
    list_filter = ("created_at",)
    search_fields = ("text", "comment", "url")
    list_select_related = ("organisation", "user")
    readonly_fields = ("created_at", "page_link", "text", "context", "comment", "user", "organisation")
    fields = readonly_fields

    @admin.display(description=_("страница"), ordering="url")
    def page_link(self, obj):
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.url, obj.url)

    def has_add_permission(self, request):
        return False  # reports come from the site's pages only

    def has_change_permission(self, request, obj=None):
        return False
