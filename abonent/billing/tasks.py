"""Celery entry points; without a broker they run inline and cron calls the command instead."""

from celery import shared_task

from abonent.billing import schedule


@shared_task(name="abonent.billing.tasks.run_schedule")
def run_schedule() -> list[str]:
    return schedule.schedule_run()
