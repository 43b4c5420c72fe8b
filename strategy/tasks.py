"""Periodic work for strategy: thin tasks that call a service (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from strategy import services


@shared_task(acks_late=True)
def commitments_overdue_notify() -> int:
    return services.commitments_overdue_notify()
