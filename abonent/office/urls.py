from django.urls import path

from . import (
    views,
    views_appeals,
    views_cycle,
    views_debtors,
    views_imports,
    views_jobs,
    views_operators,
    views_readings,
    views_reports,
)

app_name = "office"

urlpatterns = [
    path("office/", views.home, name="home"),
    path("office/accounts/<str:account_id>/", views.account, name="account"),
    path("office/audit/", views.audit_list, name="audit"),
    path("office/cycle/", views_cycle.cycle_page, name="cycle"),
    path("office/cycle/<str:period_id>/run/", views_cycle.cycle_run, name="cycle_run"),
    path("office/audit/operators/<str:user_id>/", views.audit_operator, name="audit_operator"),
    path("office/reports/turnover/", views_reports.turnover_sheet, name="turnover"),
    path("office/reports/payments/", views_reports.payments_report, name="payments"),
    path("office/reports/readings/", views_reports.readings_report, name="readings"),
    path("office/debtors/", views_debtors.debtor_list, name="debtors"),
    path("office/debtors/notices/", views_debtors.notices_create, name="notices_create"),
    path("office/notices/<str:notice_id>/", views_debtors.notice, name="notice"),
    path("office/readings/queue/", views_readings.work_queue, name="queue"),
    path("office/readings/<str:reading_id>/decide/", views_readings.reading_decide, name="reading_decide"),
    path("office/readings/entry/", views_readings.entry_houses, name="entry_houses"),
    path("office/readings/entry/<str:building_id>/", views_readings.house_entry, name="entry"),
    path("office/inbox/", views_appeals.inbox, name="inbox"),
    path("office/appeals/<str:appeal_id>/", views_appeals.appeal, name="appeal"),
    path("office/requests/<str:request_id>/", views_appeals.paid_request, name="paid_request"),
    path("office/operators/", views_operators.operators, name="operators"),
    path("office/jobs/<str:job_id>/", views_jobs.job_page, name="job"),
    path("office/jobs/<str:job_id>/status/", views_jobs.job_status, name="job_status"),
    path("office/jobs/<str:job_id>/retry/", views_jobs.job_retry_view, name="job_retry"),
    path("office/jobs/<str:job_id>/file/", views_jobs.job_file, name="job_file"),
    path("office/imports/registry/", views_imports.registry_upload, name="registry_import"),
    path("office/imports/readings/", views_imports.readings_upload, name="readings_import"),
    path("office/imports/unmatched/", views_imports.unmatched_lines, name="unmatched"),
    path("office/imports/unmatched/<str:line_id>/", views_imports.unmatched_resolve_view, name="unmatched_resolve"),
    path("office/operators/<str:user_id>/", views_operators.operator_change, name="operator_change"),
]
