from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("cabinet/appeals/", views.appeal_list, name="appeals"),
    path("cabinet/appeals/new/", views.appeal_new, name="appeal_new"),
    path("cabinet/appeals/<int:appeal_id>/", views.appeal_detail, name="appeal"),
    path("cabinet/appeals/<int:appeal_id>/close/", views.appeal_close, name="appeal_close"),
    path("cabinet/appeals/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("typo/", views.typo_report, name="typo_report"),
    path("cabinet/paid-services/", views.paid_services, name="paid_services"),
    path("cabinet/paid-services/requests/<int:request_id>/", views.paid_request, name="paid_request"),
    path(
        "cabinet/paid-services/requests/<int:request_id>/cancel/", views.paid_request_cancel, name="paid_request_cancel"
    ),
]
