from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.start, name="start"),
    path("tariffs/", views.tariffs, name="tariffs"),
    path("contacts/", views.contacts, name="contacts"),
    path("requisites/", views.requisites, name="requisites"),
    path("about/", views.about, name="about"),
    path("help/", views.help_page, name="help"),
    path("o/<slug:code>/tariffs/", views.tariffs, name="org_tariffs"),
    path("o/<slug:code>/contacts/", views.contacts, name="org_contacts"),
    path("o/<slug:code>/requisites/", views.requisites, name="org_requisites"),
]
