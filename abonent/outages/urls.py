from django.urls import path

from . import views

app_name = "outages"
urlpatterns = [
    path("outages/", views.outage_list, name="list"),
    path("cabinet/outages/", views.my_outages, name="mine"),
]
