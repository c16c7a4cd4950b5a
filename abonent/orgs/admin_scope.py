"""Keeping an operator inside their organisation in the back office.

Every register ModelAdmin inherits OrgScopedAdmin and names, in `org_path`, the lookup from its model to the
Organisation ("organisation", "building__organisation", "premises__building__organisation", ...). Then the
change list, the object URLs (another organisation's object answers 404), the choices of every foreign key and
the organisation of a new object are all limited to the operator's own. A superuser sees everything.
"""

from django.contrib import admin

from .models import Organisation


def user_organisation_id(request) -> int | None:
    """The organisation an operator works for; None for a superuser (who is not limited)."""
    user = request.user
    if user.is_superuser:
        return None
    return user.organisation_id or -1  # staff without an organisation see nothing rather than everything


class OrgScopedAdmin(admin.ModelAdmin):
    org_path: str = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        org_id = user_organisation_id(request)
        if org_id is None:
            return qs
        if self.model is Organisation:
            return qs.filter(pk=org_id)
        return qs.filter(**{f"{self.org_path}_id": org_id})
