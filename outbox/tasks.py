"""Thin tasks: load by primary key, call the service.

Both tasks are safe to run twice: sending claims the row first, and the sweep only hands
over rows that need it.
"""

from celery import shared_task

from outbox import services


@shared_task(name="outbox.send", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_send(message_id: int) -> str:
    return services.outbox_send(message_id=message_id)


@shared_task(name="outbox.send_many", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_send_many(message_ids: list[int]) -> dict:
    return services.outbox_send_many(message_ids=message_ids)


@shared_task(name="outbox.sweep", acks_late=True, ignore_result=True, expires=300)
def outbox_sweep() -> dict:
    return services.outbox_sweep()
