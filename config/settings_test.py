"""Test settings: the one place where tests differ from a deployment.

PostgreSQL and Redis are the real, local servers (override with DATABASE_URL/REDIS_URL).
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/learninglab")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
# Under pytest-xdist (``make test`` runs two processes) each process gets its own Redis
# database, as it gets its own test database: the cache's versioned keys and a test's flush of
# the cache must not reach into the other process's tests.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw"):
    _base, _sep, _number = os.environ["REDIS_URL"].rpartition("/")
    if _sep and _number.isdigit():
        os.environ["REDIS_URL"] = f"{_base}/{int(_number) + int(_XDIST_WORKER[2:])}"
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The seeds and local services (devtools) are part of the test run, as in the demo.
os.environ.setdefault("DEVTOOLS", "1")

from config.settings import *  # noqa: E402,F403

# The test client speaks plain HTTP, so the secure-only cookies of production are relaxed.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_HSTS_SECONDS = 0

# The read replica of README's "Capacity" as a second connection to the same test database:
# off (every read on default) unless a test turns REPLICA_READS on with transaction=True and
# databases=["default", "replica"] (a separate connection sees committed rows only).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Uploads of tests never land in the project's media/ folder (a test may still use its own).
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="learninglab-test-media-"))
SENDFILE_ROOT = str(MEDIA_ROOT)
OPEN_DATA_ROOT = MEDIA_ROOT / "open-data"  # follows the test MEDIA_ROOT
# Tasks run where they are enqueued unless a test starts a real worker for itself.
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files straight from the source folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
