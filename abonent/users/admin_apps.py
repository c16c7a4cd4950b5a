"""django.contrib.admin with the back office's own site as `admin.site` (every `admin.site.register` and
`@admin.register` of the project lands on it): see users.admin_site."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDefaultConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "abonent.users.admin_site.BackOfficeSite"


class TOTPConfig(TOTPDefaultConfig):
    """django-otp's TOTP devices, under a Russian heading in the back office."""

    verbose_name = "Двухфакторный вход"
