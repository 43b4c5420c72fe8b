"""Periodic work for exchanges: thin tasks that call a service (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from exchanges import services


@shared_task(acks_late=True)
def reminders_send() -> int:
    return services.reminders_send()


@shared_task(acks_late=True)
def offers_expire() -> int:
    return services.offers_expire()


@shared_task(acks_late=True)
def sensitive_answers_erase() -> int:
    return services.sensitive_answers_erase()


@shared_task(acks_late=True)
def reflection_invitations_send() -> int:
    return services.reflection_invitations_send()
