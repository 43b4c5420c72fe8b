"""Thin tasks: load by primary key, call the service."""

from celery import shared_task

from outbox import services


@shared_task(name="outbox.send", acks_late=True, reject_on_worker_lost=True)
def outbox_send(message_id: int) -> str:
    return services.outbox_send(message_id=message_id)
