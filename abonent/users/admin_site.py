"""The back office's admin site: Django's, plus the second factor.

A staff member who owes a TOTP code (users.two_factor.code_pending) is not let in, exactly as if not staff:
TwoFactorMiddleware sends such a session to the code page before it reaches the admin; this check is the
admin's own guard should a request ever get past it. Organisation scoping is untouched: it lives in the
ModelAdmins (orgs.admin_scope), whichever site they are registered on.
"""

from django.contrib.admin import AdminSite

from . import two_factor


class BackOfficeSite(AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and not two_factor.code_pending(request)

    def each_context(self, request):
        context = super().each_context(request)
        context["two_factor_offered"] = two_factor.applies_to(request.user)
        return context
