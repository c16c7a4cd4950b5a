from django.urls import path

from . import views

app_name = "news"
urlpatterns = [
    path("news/", views.news_list, name="list"),
    path("news/<int:news_id>/", views.news_detail, name="detail"),
]
