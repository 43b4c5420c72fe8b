"""Thin tasks: the beat entries start ``digests.run``; it fans out one ``digests.send_batch``
per batch of member ids. Both acknowledge late and are given back to the queue if the
worker dies, and both may safely run twice (see ``digests.services``)."""

from __future__ import annotations

from celery import shared_task

from digests import services
from digests.models import SENDING_FREQUENCIES, DigestRun

# A batch of 500 members takes seconds; the limits only stop a stuck task.
BATCH_SOFT_TIME_LIMIT = 300
BATCH_TIME_LIMIT = 360
RUN_SOFT_TIME_LIMIT = 600
RUN_TIME_LIMIT = 660


def _dispatch(run_id: int, user_ids: list[int]) -> None:
    digests_send_batch.apply_async(args=[run_id, user_ids])


@shared_task(
    name="digests.run",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RUN_SOFT_TIME_LIMIT,
    time_limit=RUN_TIME_LIMIT,
)
def digests_run(frequency: str) -> dict:
    return services.digest_run(frequency=frequency, dispatch=_dispatch).as_json()


@shared_task(
    name="digests.catch_up",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RUN_SOFT_TIME_LIMIT,
    time_limit=RUN_TIME_LIMIT,
)
def digests_catch_up() -> list[dict]:
    """Run both frequencies again: picks up members a lost batch or a broker outage left due.
    When nothing is due this costs two counting queries."""
    return [services.digest_run(frequency=f, dispatch=_dispatch).as_json() for f in SENDING_FREQUENCIES]


@shared_task(
    name="digests.send_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=BATCH_SOFT_TIME_LIMIT,
    time_limit=BATCH_TIME_LIMIT,
)
def digests_send_batch(run_id: int, user_ids: list[int]) -> dict | None:
    # The items are only loaded if this worker has not indexed them for an earlier batch.
    run = DigestRun.objects.defer("items").filter(pk=run_id).first()
    if run is None:
        return None
    return services.digest_batch_send(run=run, user_ids=user_ids).__dict__
