from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Абонент — бэк-офис"
admin.site.site_title = "Абонент"
admin.site.index_title = "Реестр организации"

urlpatterns = [
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
    path("", include("abonent.exchange.urls")),
]
