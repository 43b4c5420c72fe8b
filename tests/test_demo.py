"""``make run``'s demo: SQLite, in-process tasks and ``seed_demo``. Everything else runs on
PostgreSQL, so this checks in a subprocess that the demo's pages, exports, a sign-up and the
digest job work on SQLite too (PostgreSQL-only SQL has portable fallbacks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the test process sets and `make run` does not.
NOT_IN_THE_DEMO = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "CACHE_KEY_PREFIX",
    "EMAIL_BACKEND",
    "DEVTOOLS",
}


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own commands
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_sqlite_demo_serves_every_page_to_every_role(tmp_path):
    # The demo's environment: no database or Redis URL, DEBUG on (which installs devtools and
    # so seed_demo), console email; uploads in a folder of the test's own.
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_THE_DEMO}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    for command in (["manage.py", "migrate", "--noinput", "-v", "0"], ["manage.py", "seed_demo"]):
        done = _run(command, env)
        assert done.returncode == 0, done.stderr[-3000:]
    done = _run(["tests/demo_smoke.py"], env)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert done.stdout.strip().splitlines()[-1] == "[]"
