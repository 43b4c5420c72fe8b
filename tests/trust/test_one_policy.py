"""No second copy of the access rules: app code asks ``core.policy`` (a ``Viewer``), never the
user object's flags or groups, and every access rule takes a ``Viewer``."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from core.policy import ANONYMOUS

ROOT = Path(__file__).resolve().parents[2]

# Reading a role off an account, anywhere but in the policy. ``is_staff`` is the admin's login
# gate, derived from the coordinator role; groups are the role facts the policy reads.
ROLE_READS = re.compile(
    r"\.is_staff\b(?!\s*=)|\bis_superuser\b(?!\s*[=:])|groups__name|\.groups\.(filter|all|values)|has_role|"
    r"\buser\.is_(coordinator|funder)\b"
)
# Where reading those facts is the point: the policy itself, the role groups' permissions,
# the admin's own user pages, the staff flag's sync, and the personal-data export of the roles.
ALLOWED = {
    "core/policy.py",
    "network/roles.py",
    "network/admin.py",
    "network/models.py",
    "network/signals.py",
    "network/personal_data.py",
    "network/services.py",  # account deletion clears the flags and groups of the erased account
    "digests/services.py",  # builds each reader's Viewer from prefetched groups (no query per member)
}


def _app_sources():
    for app in settings.LEARNINGLAB_APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts:
                yield path


def test_no_app_reads_a_role_off_the_user_object():
    found = []
    for path in _app_sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_READS.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "ask request.viewer / core.policy instead:\n" + "\n".join(found)


RULES = ("visible_to", "editable_by", "mine", "answerable_by", "listed", "with_private_details_for",
         "consent_manageable_by", "updatable_by", "pending_for")  # fmt: skip


@pytest.mark.django_db
def test_every_access_rule_takes_a_viewer_and_refuses_a_user(django_user_model):
    """A rule given a user object instead of a Viewer fails loudly instead of guessing."""
    user = django_user_model.objects.create_user(email="not-a-viewer@example.org")
    checked = []
    for model in apps.get_models():
        manager = model._default_manager
        for rule in RULES:
            method = getattr(manager, rule, None)
            if method is None or model._meta.app_label not in settings.LEARNINGLAB_APPS:
                continue
            parameters = list(inspect.signature(method).parameters)
            assert parameters == ["viewer"], f"{model.__name__}.{rule}{parameters}: the only input is the viewer"
            list(method(ANONYMOUS)[:1])
            with pytest.raises(AttributeError):
                list(method(user)[:1])
            checked.append(f"{model.__name__}.{rule}")
    assert len(checked) >= 10, checked
