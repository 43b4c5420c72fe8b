"""Local services for fault tests, benchmarks and the load test: a private Redis, Celery
processes, gunicorn, an SMTP sink.

Development tooling, not used by the running site. Every process is started in its own
session and stopped by its own pid (never by name); the machine's Redis is never touched.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}.")


def _terminate(process: subprocess.Popen | None) -> None:
    """Stop a service process started here: politely, then for good after 5 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class RedisServer:
    """A private ``redis-server`` on a spare port, without persistence, stoppable."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="ll-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, 10, message="redis-server to start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        _terminate(self.process)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PgBouncer:
    """A private PgBouncer in transaction pooling mode on a spare port, in front of one
    database of the local PostgreSQL: the connection pooler of README's "Capacity".

    ``auth_type = trust`` with an auth file naming the one user: it listens on 127.0.0.1 only
    and lives as long as the run. ``default_pool_size`` server connections serve every client.
    """

    BINARIES = ("pgbouncer", "/usr/sbin/pgbouncer")
    UNIX_USER = "postgres"  # whom a PgBouncer started by root runs as (Debian's package's user)

    def __init__(self, *, host: str, port: int, user: str, password: str, dbname: str, pool_size: int = 10):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="ll-pgbouncer-")
        self.user, self.password, self.dbname = user, password, dbname
        self.process: subprocess.Popen | None = None
        server_password = f" password={password}" if password else ""
        config = f"""[databases]
{dbname} = host={host or "127.0.0.1"} port={port or 5432} dbname={dbname} user={user}{server_password}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {self.dir}/pgbouncer.log
pidfile =
"""
        if os.geteuid() == 0:
            # PgBouncer refuses to run as root; started as root it switches to `user`.
            import pwd

            account = pwd.getpwnam(self.UNIX_USER)
            config += f"user = {self.UNIX_USER}\n"
            os.chown(self.dir, account.pw_uid, account.pw_gid)
        Path(self.dir, "pgbouncer.ini").write_text(config)
        Path(self.dir, "users.txt").write_text(f'"{user}" ""\n')

    @classmethod
    def binary(cls) -> str | None:
        for name in cls.BINARIES:
            found = shutil.which(name)
            if found:
                return found
        return None

    @property
    def url(self) -> str:
        password = f":{self.password}" if self.password else ""
        return f"postgres://{self.user}{password}@127.0.0.1:{self.port}/{self.dbname}"

    def start(self) -> None:
        binary = self.binary()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer).")
        self.process = subprocess.Popen(
            [binary, str(Path(self.dir, "pgbouncer.ini"))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, 10, message="pgbouncer to start")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError("pgbouncer exited: " + self.log()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def log(self) -> str:
        path = Path(self.dir, "pgbouncer.log")
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        _terminate(self.process)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class CeleryProcess:
    """``celery -A config worker --pool=solo`` or ``celery -A config beat`` as a subprocess,
    on the private broker, the test database and the SMTP sink.

    ``pool="prefork"`` (with ``concurrency`` processes) runs the worker as production does:
    tasks in child processes, the broker connection watched by the parent while they run.
    """

    def __init__(self, kind: str, *, env: dict, name: str = "w1", pool: str = "solo", concurrency: int = 1):
        self.kind = kind
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"ll-celery-{kind}-", suffix=".log", delete=False)  # noqa: SIM115
        self.tmp = tempfile.mkdtemp(prefix="ll-celery-")
        if kind == "worker":
            args = [
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        else:
            args = ["beat", "--loglevel=INFO", f"--schedule={self.tmp}/beat-schedule", f"--pidfile={self.tmp}/beat.pid"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        marker = "ready." if self.kind == "worker" else "beat: Starting"
        wait_until(
            lambda: marker in self.output() or self.process.poll() is not None, timeout, message=f"{self.kind} start"
        )
        assert self.process.poll() is None, self.output()[-3000:]

    def kill(self) -> None:
        """SIGKILL, like the OOM killer or a lost machine: no cleanup, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


def celery_env(*, broker_url: str, database_url: str, smtp_port: int, **extra) -> dict:
    """The environment of a worker or beat process: production settings, pointed at the
    private services, with the outbox's timings shortened so that a test lasts seconds."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if k in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "SITE_URL": "http://testserver",
            "DATABASE_URL": database_url,
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": broker_url,
            "CACHE_KEY_PREFIX": "outbox-faults",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
            "OUTBOX_SWEEP_INTERVAL": "1",
            "OUTBOX_BACKOFF_BASE_SECONDS": "1",
            "OUTBOX_BACKOFF_CAP_SECONDS": "2",
            "OUTBOX_REQUEUE_GRACE_SECONDS": "1",
            "OUTBOX_REQUEUE_AFTER_SECONDS": "5",
            "OUTBOX_RECLAIM_AFTER_SECONDS": "4",
            "CELERY_TASK_SOFT_TIME_LIMIT": "2",
            "CELERY_TASK_TIME_LIMIT": "3",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def broker_at(url: str):
    """Make this (test) process publish to ``url`` instead of running tasks eagerly."""
    from kombu import pools as kombu_pools

    from config.celery import app
    from outbox.services import broker_pause_reset

    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset_pools():
        # kombu keeps pools in a global registry keyed by URL: clear it, or the next use
        # of the same URL would get the closed pool back.
        kombu_pools.reset()
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = url, False
    reset_pools()
    broker_pause_reset()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_pools()
        broker_pause_reset()


class Gunicorn:
    """gunicorn on a spare port, as production runs it (``config.wsgi``, DEBUG off), against the
    database of this process unless ``DATABASE_URL`` is in the environment.

    ``workers``: worker processes. ``env``: extra environment (the load test adds the private
    Redis and the SMTP sink). ``access_log``: a file that receives one line per request,
    ``<status> <seconds> [<time>] <request line>``, for counting 5xx and the slowest request.
    """

    ACCESS_FORMAT = "%(s)s %(L)s %(t)s %(r)s"

    def __init__(self, *, workers: int = 2, env: dict | None = None, timeout: int = 30, access_log: str | None = None):
        from django.conf import settings

        self.port = free_port()
        self.timeout = timeout
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-0123456789abcdefghijklmnop",
            # Its in-process tasks would log a line each; the figures are what matter here.
            "LOG_LEVEL": "WARNING",
        }
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("postgresql") and "DATABASE_URL" not in os.environ:
            environment["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        environment.update(env or {})
        logging = ["--log-level", "warning"]
        if access_log:
            logging += ["--access-logfile", access_log, "--access-logformat", self.ACCESS_FORMAT]
        self.log = tempfile.NamedTemporaryFile(prefix="ll-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 — fixed arguments.
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--workers",
                str(workers),
                "--timeout",
                str(timeout),
                "--bind",
                f"127.0.0.1:{self.port}",
                *logging,
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start: " + self.output()[-2000:])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """What gunicorn itself logged (worker timeouts and crashes show here)."""
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)

    def get(self, path: str, cookie: str = "") -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def request(self, method, path, cookie, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=urlencode(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
            return response.status, text, cookies
        finally:
            conn.close()


class SmtpSinkProcess:
    """aiosmtpd in its own process, storing every message it accepts as a file in a Maildir
    (``DIR/new``); ``stop()``/``start()`` make it refuse connections for a while, on the same
    port."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ll-smtp-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 — fixed arguments.
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.dir / "mail"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, 15, message="the SMTP sink to start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                return sock.recv(64).startswith(b"220")
        except OSError:
            return False

    def message_ids(self) -> list[str]:
        """The Message-ID header of every message stored so far (one entry per copy)."""
        ids = []
        for folder in ("new", "cur"):
            for path in sorted((self.dir / "mail" / folder).glob("*")):
                with path.open("rb") as handle:
                    for raw in handle:
                        if not raw.strip():
                            break  # the end of the headers
                        if raw.lower().startswith(b"message-id:"):
                            ids.append(raw.split(b":", 1)[1].strip().decode("ascii", "replace"))
                            break
        return ids

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
