from django.urls import path

from . import views

app_name = "bots"

urlpatterns = [
    path("bots/<str:messenger>/<str:bot_id>/webhook/", views.hook, name="hook"),
    path("profile/messengers/", views.messengers, name="messengers"),
    path("profile/messengers/<str:chat_id>/unlink/", views.chat_unlink, name="chat_unlink"),
]
