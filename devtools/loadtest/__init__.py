"""``make loadtest``: the whole stack under many users at once (issue 16).

``run.py`` starts the production-like stack on this machine (gunicorn with 4 workers, 2 Celery
workers and beat on a private Redis, an aiosmtpd sink, PostgreSQL with seed_bench data), drives
it with Locust in headless mode (``locustfile.py``), prints the figures per endpoint, and checks
the invariants after the run. Development tooling: production does not install it.
"""
