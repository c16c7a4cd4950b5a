from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("apply/cabinet/", views.cabinet_apply, name="cabinet_apply"),
    path("apply/cabinet/<str:token>/", views.cabinet_status, name="cabinet_status"),
    path("apply/connection/", views.connection_apply, name="connection_apply"),
    path("apply/connection/<str:token>/", views.connection_status, name="connection_status"),
    path("cabinet/connections/", views.my_connections, name="mine"),
    path("applications/documents/<int:document_id>/", views.document, name="document"),
]
