from django.contrib import admin

from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path

from .models import Bot

register_org_path("bots.Bot", "organisation")


@admin.register(Bot)
class BotAdmin(OrgScopedAdmin):
    list_display = ("__str__", "organisation", "enabled")
    fields = ("organisation", "messenger", "username", "token", "secret", "api_url", "enabled", "webhook_path")
    readonly_fields = ("webhook_path",)

    @admin.display(description="Адрес вебхука")
    def webhook_path(self, obj):
        return f"/bots/{obj.messenger}/{obj.pk}/webhook/" if obj.pk else "—"
