"""The nightly open-data package (beat entry ``api-open-data`` in settings)."""

from __future__ import annotations

from celery import shared_task

from api import opendata

# 50,000 records and 200,000 metric updates take well under a minute; the limits only stop a
# stuck run.
SOFT_TIME_LIMIT = 900
TIME_LIMIT = 960


@shared_task(
    name="api.open_data_package",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def open_data_package() -> dict:
    package = opendata.package_write()
    return {"name": package.name, "counts": package.counts}
