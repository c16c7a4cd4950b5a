"""The organisation's API keys and webhooks in the back office: its administrator (a staff member given the api
permissions) makes a key, which is shown once, and the endpoints; the delivery log is read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, register_unscoped

from . import tokens, webhooks
from .models import Delivery, Event, OrgApiKey, OrgScope, WebhookEndpoint

for _model in ("Application", "AccessToken", "RefreshToken", "Grant", "IDToken"):
    # django-oauth-toolkit's own admin: third-party apps and their tokens, for superusers (operators hold no
    # permissions on them); an app is not an organisation's, it serves residents of any
    register_unscoped(f"oauth2_provider.{_model}", "приложения OAuth 2 и их токены ведёт суперпользователь")
register_org_path("api.OrgApiKey", "organisation")
register_org_path("api.WebhookEndpoint", "organisation")
register_org_path("api.Delivery", "endpoint__organisation")


class KeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label="Права", choices=OrgScope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = OrgApiKey
        fields = ("organisation", "name", "scopes")


@admin.register(OrgApiKey)
class OrgApiKeyAdmin(OrgScopedAdmin):
    form = KeyForm
    list_display = ("name", "prefix", "scopes", "created_at", "revoked_at")
    org_list_display = org_list_filter = "organisation"
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ("name", "scopes", "prefix", "created_at", "revoked_at") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        if self._hides_organisation(request):
            obj.organisation_id = request.user.organisation_id
        raw = tokens.new_key_for(obj, actor=request.user)
        messages.warning(request, f"Ключ «{obj.name}»: {raw} — скопируйте его сейчас, больше он показан не будет.")

    @admin.action(description="Отозвать выбранные ключи")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"Отозвано ключей: {count}.")


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label="Адрес", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label="События", choices=Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ("organisation", "url", "events", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrgScopedAdmin):
    form = EndpointForm
    list_display = ("url", "events", "is_active", "created_at")
    org_list_display = org_list_filter = "organisation"
    readonly_fields = ("secret",)

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = webhooks.new_secret()  # shown on the endpoint's page: the receiver checks signatures with it
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(OrgScopedAdmin):
    org_path = "endpoint__organisation"
    list_display = ("event", "event_id", "endpoint", "status", "attempts", "last_status", "next_attempt_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
