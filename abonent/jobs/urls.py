"""Under /admin/jobs/: the back office's login and second factor guard every page (admin_view)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "jobs"


def _guarded(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _guarded(views.job_list), name="list"),
    path("<int:job_id>/", _guarded(views.job_detail), name="detail"),
    path("<int:job_id>/status/", _guarded(views.job_status), name="status"),
    path("<int:job_id>/retry/", _guarded(views.job_retry), name="retry"),
    path("<int:job_id>/file/", _guarded(views.job_file), name="file"),
]
