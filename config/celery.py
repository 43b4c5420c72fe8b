"""The Celery application.

Settings live in ``config.settings`` under the ``CELERY_`` namespace so that every
value is read from the environment in one place.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("learninglab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
