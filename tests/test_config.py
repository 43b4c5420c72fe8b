"""Configuration: production settings pass Django's deploy checks; headers on every response."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "learninglab.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://learninglab.example.org",
    "SITE_URL": "https://learninglab.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/learninglab",
    "REDIS_URL": "redis://127.0.0.1:6379/10",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def _manage(*args, env_extra=None):
    # A clean environment: nothing from the test process (its relaxed settings) leaks in.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(PRODUCTION_ENV)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_deploy_checks_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    result = _manage("check", env_extra={"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_ssl_redirect_can_be_turned_off_behind_a_tls_proxy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env_extra={"SECURE_SSL_REDIRECT": "0", "BEHIND_TLS_PROXY": "1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_boolean_in_the_environment_fails_loudly():
    result = _manage("check", env_extra={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    for url in ["/", "/organisations/", "/accounts/login/", "/does-not-exist/"]:
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src
        assert "default-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_reference_no_third_party_assets(client):
    html = client.get("/").content.decode()
    for marker in ("https://", "http://", "//cdn"):
        for attr in ("src=", "href="):
            assert f'{attr}"{marker}' not in html, f"third-party asset {attr}{marker} on the home page"


@pytest.mark.django_db
def test_unknown_language_prefix_is_404(client):
    assert client.get("/de/organisations/").status_code == 404
    assert client.get("/sv/organisations/").status_code == 200
    assert client.get("/nl/organisations/").status_code == 200


def test_offline_build_steps_run_without_a_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run", env_extra={"SECRET_KEY": ""})
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_does_not_install_the_devtools_and_their_commands():
    # DEBUG off: the seeds, benchmarks and local services are not part of a deployment.
    production = _manage("help", "--commands")
    assert production.returncode == 0, production.stderr
    commands = set(production.stdout.split())
    assert {"invite", "search_reindex", "send_digests"} <= commands
    assert not {"seed_demo", "seed_bench", "bench"} & commands
    refused = _manage("seed_demo", "--force")
    assert refused.returncode != 0 and "Unknown command: 'seed_demo'" in refused.stderr
    # DEVTOOLS=1 (make bench) or DEBUG=1 (make run) installs them.
    for switch in ({"DEVTOOLS": "1"}, {"DEBUG": "1"}):
        with_devtools = set(_manage("help", "--commands", env_extra=switch).stdout.split())
        assert {"seed_demo", "seed_bench", "bench"} <= with_devtools, switch
