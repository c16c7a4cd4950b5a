from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import (
    converters,
    views_accounts,
    views_common,
    views_import,
    views_meters,
    views_org,
    views_payments,
    views_support,
    views_tokens,
)

register_converter(converters.AnyId, "id")

app_name = "api"

v1 = [
    path("me/", views_common.Me.as_view(), name="me"),
    path("accounts/", views_accounts.AccountList.as_view(), name="accounts"),
    path("accounts/<id:account_id>/", views_accounts.AccountDetail.as_view(), name="account"),
    path("accounts/<id:account_id>/charges/", views_accounts.AccountCharges.as_view(), name="charges"),
    path("accounts/<id:account_id>/movement/", views_accounts.AccountMovement.as_view(), name="movement"),
    path("accounts/<id:account_id>/receipts/", views_accounts.AccountReceipts.as_view(), name="receipts"),
    path("accounts/<id:account_id>/receipts/<str:month>/pdf/", views_accounts.ReceiptPdf.as_view(), name="receipt_pdf"),
    path("accounts/<id:account_id>/meters/", views_meters.Meters.as_view(), name="meters"),
    path(
        "accounts/<id:account_id>/meters/<id:meter_id>/readings/",
        views_meters.MeterHistory.as_view(),
        name="meter_history",
    ),
    path(
        "accounts/<id:account_id>/readings/calculate/",
        views_meters.ReadingsCalculate.as_view(),
        name="readings_calculate",
    ),
    path("accounts/<id:account_id>/readings/", views_meters.ReadingsSubmit.as_view(), name="readings_submit"),
    path("payments/", views_payments.Payments.as_view(), name="payments"),
    path("payments/orders/<uuid:order>/", views_payments.OrderDetail.as_view(), name="order"),
    path("appeals/", views_support.Appeals.as_view(), name="appeals"),
    path("appeals/<id:appeal_id>/", views_support.AppealDetail.as_view(), name="appeal"),
    path("appeals/<id:appeal_id>/messages/", views_support.AppealMessages.as_view(), name="appeal_messages"),
    path("attachments/<id:attachment_id>/", views_support.AttachmentFile.as_view(), name="attachment"),
    path("paid-services/", views_support.PaidServices.as_view(), name="paid_services"),
    path("paid-requests/", views_support.PaidRequests.as_view(), name="paid_requests"),
    path("paid-requests/<id:request_id>/", views_support.PaidRequestDetail.as_view(), name="paid_request"),
    path("news/", views_common.NewsList.as_view(), name="news"),
    path("news/<id:news_id>/", views_common.NewsDetail.as_view(), name="news_item"),
    path("outages/", views_common.Outages.as_view(), name="outages"),
    path("org/accounts/", views_org.OrgAccounts.as_view(), name="org_accounts"),
    path("org/accounts/<id:account_id>/", views_org.OrgAccount.as_view(), name="org_account"),
    path("org/readings/", views_org.OrgReadings.as_view(), name="org_readings"),
    path("org/payments/", views_org.OrgPayments.as_view(), name="org_payments"),
    path("org/month-import/", views_import.OrgMonthImport.as_view(), name="org_month_import"),
    path("org/register/", views_import.OrgRegisterImport.as_view(), name="org_register_import"),
    path("org/jobs/<id:job_id>/", views_import.OrgJob.as_view(), name="org_job"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

urlpatterns = [
    path("api/v1/", include(v1)),
    path("profile/tokens/", views_tokens.tokens_page, name="tokens"),
    path("profile/tokens/<int:token_id>/revoke/", views_tokens.revoke, name="token_revoke"),
    path("profile/apps/<int:token_id>/revoke/", views_tokens.app_revoke, name="app_revoke"),
]
