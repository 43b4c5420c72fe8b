"""Celery's configuration, read back from the real app (a misspelt setting is silently
ignored by Celery, so the values are checked where Celery reads them)."""

import os
import subprocess
import sys
from pathlib import Path

from celery.app.defaults import NAMESPACES, flatten
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent.parent


def test_every_celery_setting_is_one_celery_knows():
    known = {key for key, _ in flatten(NAMESPACES)}
    ours = [name for name in dir(settings) if name.startswith("CELERY_")]
    assert ours, "no CELERY_ settings found"
    unknown = [name for name in ours if name.removeprefix("CELERY_").lower() not in known]
    assert not unknown, f"Celery ignores these misspelt settings: {unknown}"


def test_tasks_are_acknowledged_late_and_requeued_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_a_worker_that_loses_the_broker_lets_the_running_task_finish():
    # Cancelling it cut emails off after the SMTP server had stored them: they went twice.
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is False


def test_tasks_have_time_limits_and_the_reclaim_waits_longer_than_the_hard_limit():
    soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit
    assert soft and hard and 0 < soft < hard <= 300
    assert hard < settings.OUTBOX_RECLAIM_AFTER_SECONDS
    assert (settings.EMAIL_TIMEOUT or 10) < settings.OUTBOX_RECLAIM_AFTER_SECONDS


def test_broker_timeouts_are_short_so_a_hung_redis_cannot_hold_a_request():
    options = app.conf.broker_transport_options
    assert app.conf.broker_connection_timeout <= 3
    assert 0 < options["socket_timeout"] <= 3
    assert 0 < options["socket_connect_timeout"] <= 3
    assert app.conf.broker_connection_retry_on_startup is True


def test_visibility_timeout_exceeds_the_longest_task_and_is_not_kombus_hour():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_time_limit < visibility <= 1800
    assert visibility <= settings.OUTBOX_REQUEUE_AFTER_SECONDS


def test_json_only_and_no_result_backend_traffic():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_ignore_result is True


def test_the_beat_schedule_runs_the_outbox_sweeper_every_minute():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["outbox-sweep"]
    assert entry["task"] == "outbox.sweep"
    assert entry["task"] in app.tasks
    assert float(entry["schedule"]) == 60.0
    assert "outbox.send" in app.tasks


def test_the_demo_without_redis_runs_tasks_in_process():
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"})
    code = "import django; django.setup(); from config.celery import app; print(app.conf.task_always_eager)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "True", result.stderr


def test_make_has_worker_and_beat_targets():
    makefile = (ROOT / "Makefile").read_text()
    assert "\nworker:" in makefile and "celery -A config worker" in makefile
    assert "\nbeat:" in makefile and "celery -A config beat" in makefile
