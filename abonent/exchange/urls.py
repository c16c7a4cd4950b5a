from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("exchange/api/billing-month/", views.billing_month, name="billing_month"),
    path("exchange/api/billing-register/", views.billing_register, name="billing_register"),
]
