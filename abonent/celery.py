"""Celery, for when a city outgrows one machine: set CELERY_BROKER_URL (or REDIS_URL) and run a worker and beat.

Without a broker every task runs inline (CELERY_TASK_ALWAYS_EAGER) and cron calls the management commands,
which are idempotent, so the two ways of scheduling can never do a job twice.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abonent.settings")

app = Celery("abonent")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
