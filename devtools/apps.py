from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tooling: the demo and bench seeds, the benchmarks and the local services
    (a private Redis, Celery processes) that fault tests and benchmarks start.

    Installed only when ``DEVTOOLS`` is on (default: ``DEBUG``; ``make run``, ``make bench``
    and the tests turn it on). A production deployment (``DEBUG=0``) does not install it, so
    its commands (``seed_demo``, ``seed_bench``, ``bench``) do not exist there. It sits at the
    top of the layering: it imports every app and ``config`` (URLs, Celery), nothing imports it.
    """

    name = "devtools"
    verbose_name = "Development tools"
