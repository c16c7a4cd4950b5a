from django.urls import path

from . import views

app_name = "receipts"
urlpatterns = [
    path("cabinet/accounts/<int:account_id>/receipts/", views.receipt_list, name="list"),
    path("cabinet/accounts/<int:account_id>/receipts/<str:month>.pdf", views.receipt_pdf, name="pdf"),
    path("cabinet/accounts/<int:account_id>/receipts/<str:month>/print/", views.receipt_print, name="print"),
    path("cabinet/accounts/<int:account_id>/receipts/<str:month>/qr.png", views.receipt_qr, name="qr"),
    path("receipts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("receipts/admin/<int:account_id>/<str:month>.pdf", views.admin_receipt_pdf, name="admin_pdf"),
]
