from django.contrib import admin
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls

admin.site.site_header = "Абонент — бэк-офис"
admin.site.site_title = "Абонент"
admin.site.index_title = "Реестр организации"

urlpatterns = [
    path("admin/jobs/", include("abonent.jobs.urls")),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
    path("", include("abonent.users.urls")),
    path("", include("abonent.metering.urls")),
    path("", include("abonent.billing.urls")),
    path("", include("abonent.portal.urls")),
    path("", include("abonent.payments.urls")),
    path("", include("abonent.notifications.urls")),
    path("", include("abonent.support.urls")),
    path("", include("abonent.news.urls")),
    path("", include("abonent.outages.urls")),
    path("", include("abonent.applications.urls")),
    path("", include("abonent.receipts.urls")),
    path("", include("abonent.office.urls")),
    path("", include("abonent.api.urls")),
    # OAuth 2 for third-party apps (docs/API.md): authorise (the resident's consent page), token, revoke,
    # introspect; not the toolkit's application management pages (apps are registered in the back office)
    path("o/", include((oauth2_urls.base_urlpatterns, "oauth2_provider"))),
    path("", include("abonent.exchange.urls")),
    path("", include("abonent.bots.urls")),
]
