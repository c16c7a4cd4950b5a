from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("cabinet/pay/", views.pay, name="pay"),
    path("cabinet/pay/result/<uuid:order>/", views.result, name="result"),
    path("cabinet/payments/", views.my_payments, name="mine"),
    path("cabinet/payments/receipts/<int:pk>/", views.fiscal_receipt, name="fiscal_receipt"),
    path("cabinet/pay/sbp/<uuid:order>/", views.sbp, name="sbp"),
    path("cabinet/autopay/", views.autopay_page, name="autopay"),
    path("cabinet/autopay/<int:pk>/off/", views.autopay_off, name="autopay_off"),
    path("sandbox-acquirer/sbp/<str:token>/", views.sandbox_sbp, name="sandbox_sbp"),
    path("payments/notify/<slug:provider>/", views.notify, name="notify"),
    path("sandbox-acquirer/pay/<str:token>/", views.sandbox_pay, name="sandbox_pay"),
]
