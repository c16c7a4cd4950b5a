"""The office's roles in the admin: how a superuser names the first administrator of an organisation's office
(after that the organisation's administrator sets roles in the office, /office/operators/). Operators have no
permission on it (the operators' group does not list it); scoped like every register model all the same."""

from django.contrib import admin

from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path

from .models import OfficeRole

register_org_path("office.OfficeRole", "user__organisation")


@admin.register(OfficeRole)
class OfficeRoleAdmin(OrgScopedAdmin):
    org_path = "user__organisation"
    list_display = ("user", "role", "set_by", "set_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__last_name")
    fields = ("user", "role")
    autocomplete_fields = ()

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)
