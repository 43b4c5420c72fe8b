"""Celery: beat entries, the fan-out into batches, and the limits a misspelt setting would lose."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.test import override_settings

from config.celery import app
from digests import tasks
from digests.models import DigestDelivery, DigestRun
from tests.factories.digests import evidence, member

pytestmark = pytest.mark.django_db


def test_beat_runs_the_job_weekly_monthly_and_catches_up_hourly():
    schedule = settings.CELERY_BEAT_SCHEDULE
    weekly, monthly, catch_up = schedule["digests-weekly"], schedule["digests-monthly"], schedule["digests-catch-up"]
    assert (weekly["task"], weekly["kwargs"]) == ("digests.run", {"frequency": "weekly"})
    assert (monthly["task"], monthly["kwargs"]) == ("digests.run", {"frequency": "monthly"})
    assert catch_up["task"] == "digests.catch_up"
    assert weekly["schedule"] == crontab(minute=0, hour=6, day_of_week="mon")
    assert monthly["schedule"] == crontab(minute=0, hour=6, day_of_month="1")
    assert catch_up["schedule"] == crontab(minute=30)
    # The beat's task names are tasks the worker knows.
    app.loader.import_default_modules()
    for entry in (weekly, monthly, catch_up):
        assert entry["task"] in app.tasks


def test_tasks_acknowledge_late_and_have_time_limits():
    for task in (tasks.digests_run, tasks.digests_catch_up, tasks.digests_send_batch):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert 0 < task.soft_time_limit < task.time_limit


@override_settings(DIGESTS_BATCH_SIZE=2)
def test_the_run_task_fans_out_one_task_per_batch(last_week, django_capture_on_commit_callbacks):
    readers = [member() for _ in range(5)]
    evidence(published_at=last_week)

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.digests_run.delay("weekly").get()

    assert result["dispatched"] is True and result["batches"] == 3
    run = DigestRun.objects.get()
    assert (run.batch_count, run.member_count, run.queued_count) == (3, 5, 5)
    assert DigestDelivery.objects.filter(run=run).count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)


def test_catch_up_runs_both_frequencies_and_a_batch_of_a_vanished_run_does_nothing():
    results = tasks.digests_catch_up.delay().get()
    assert [r["frequency"] for r in results] == ["weekly", "monthly"]
    assert tasks.digests_send_batch.delay(999999, [1, 2]).get() is None
