from django.urls import path

from . import views

app_name = "metering"
urlpatterns = [
    path("cabinet/reading-reminders/", views.reminder_settings, name="reminder_settings"),
    path("cabinet/accounts/<int:account_id>/readings/", views.readings, name="readings"),
    path(
        "cabinet/accounts/<int:account_id>/meters/<int:meter_id>/history/",
        views.meter_history,
        name="meter_history",
    ),
]
