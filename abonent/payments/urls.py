from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("cabinet/pay/", views.pay, name="pay"),
    path("cabinet/pay/result/<uuid:order>/", views.result, name="result"),
    path("cabinet/payments/", views.my_payments, name="mine"),
    path("payments/notify/<slug:provider>/", views.notify, name="notify"),
    path("sandbox-acquirer/pay/<str:token>/", views.sandbox_pay, name="sandbox_pay"),
]
