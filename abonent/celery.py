"""Celery runs every background job (abonent.jobs) and the schedule (beat).

With CELERY_BROKER_URL (or REDIS_URL) the workers take the tasks from Redis or RabbitMQ, on as many machines as
needed; without one, from a folder under var/ (kombu's filesystem transport), served by the worker `make run`
starts beside the dev server: the same tasks, the same code, outside the request either way. Tests run the tasks
in the test process (conftest) except those that start real workers (abonent/jobs/tests/test_workers.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abonent.settings")

app = Celery("abonent")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
