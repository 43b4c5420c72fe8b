"""The load test's smoke run (issue 16): ``manage.py loadtest`` for a few users and seconds on
a small seed_bench network in the test database, with the whole stack (gunicorn with 4
workers, 2 Celery workers and beat on a private Redis, an SMTP sink) and every invariant.

Marked ``services``: ``make test`` (and so CI) runs it, ``make test-fast`` leaves it out.
About a minute on a 2-core machine (through PgBouncer where it is installed), bounded by the
subprocess timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from devtools.localservices import PgBouncer

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^loadtest: (\d+) users, ([\d.]+) req/s, p95 (\d+) ms, 5xx (\d+), invariants (held|broken: .+)$")
SMALL_NETWORK = (
    "--organisations=20 --bench-exchanges=20 --bench-registrations=200 --evidence-records=200 "
    "--metric-updates=400 --practice-guides=30 --practice-joint-actions=5"
)


def _environment() -> dict:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    database_url = f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if k in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "DEVTOOLS": "1",
            "SECRET_KEY": "loadtest-smoke-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONWARNINGS": "ignore",
        }
    )
    return env


def _short_run(*extra: str) -> tuple[subprocess.CompletedProcess, list[str], re.Match]:
    env = _environment()
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        # With DEBUG off every page needs the collected files (make test collects them first).
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**env, "DEBUG": "1"},
            check=True,
            timeout=300,
        )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "loadtest",
            "--users=8",
            "--duration=15",
            "--spawn-rate=4",
            "--members=100",
            f"--seed-args={SMALL_NETWORK}",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-3000:]
    summary = SUMMARY.match(lines[-1])
    assert summary, result.stdout[-3000:] + result.stderr[-3000:]
    assert summary.group(5) == "held", result.stdout[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
    return result, lines, summary


def test_a_short_load_on_the_whole_stack_prints_the_table_and_keeps_every_invariant():
    """One run serves both smoke checks (CI's time is short): the stack behind PgBouncer in
    transaction pooling (README, "Capacity": fewer server connections than processes, with
    DB_POOLER=transaction) wherever pgbouncer is installed, as .ci/run makes sure."""
    pooled = PgBouncer.binary() is not None
    result, lines, summary = _short_run(*(["--pgbouncer"] if pooled else []))
    if pooled:
        assert "through PgBouncer" in result.stdout and "(transaction pooling)" in result.stdout
    users, rps, _p95, errors = (float(summary.group(n)) for n in range(1, 5))
    assert users == 8 and rps > 0 and errors == 0
    # The table: a row per endpoint with requests, failures, median, p95, p99, then the total.
    header = next(line for line in lines if line.startswith("endpoint"))
    assert header.split()[1:] == ["requests", "failures", "median", "p95", "p99"]
    table = lines[lines.index(header) + 1 : next(i for i, line in enumerate(lines) if line.startswith("all "))]
    assert len(table) >= 3 and all(re.match(r"^(GET|POST) /", line) for line in table), result.stdout[-3000:]
    # The resident memory of every process of the stack, sampled through the run (the soak's figure).
    memory = next(line for line in lines if line.startswith("memory after warm-up: "))
    for process in ("gunicorn main", "gunicorn child 1", "celery worker load0 main", "celery beat"):
        assert process in memory, memory
    assert re.search(r"largest growth [+-]\d+\.\d%", memory), memory
