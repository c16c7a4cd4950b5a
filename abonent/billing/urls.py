from django.urls import path

from . import agent_views, views

app_name = "billing"
urlpatterns = [
    path("cabinet/accounts/<int:account_id>/", views.account_card, name="card"),
    path("cabinet/accounts/<int:account_id>/debt/", views.debt, name="debt"),
    path("cabinet/accounts/<int:account_id>/history/", views.history, name="history"),
    path("cabinet/accounts/<int:account_id>/movement/", views.movement, name="movement"),
    path("cabinet/accounts/<int:account_id>/common/", views.common, name="common"),
    path("backoffice/agent/register/", agent_views.register, name="agent_register"),
    path("backoffice/agent/monthly/", agent_views.monthly, name="agent_monthly"),
]
