"""Every model that can hold personal data is covered by some app's personal-data hook.

A model counts as personal when it points at the user or at a member profile (foreign key,
one-to-one or many-to-many), or holds an email address (an ``EmailField`` or a field whose
name says "email"). Every installed app is checked: ours, allauth's, Django's own.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from core import personal_data
from network.models import Member, User

# Models the rule flags that hold no one's personal data, and why.
NOT_PERSONAL = {
    "network.Organisation": "contact_email is the organisation's address, kept by coordinators, not a member's",
}


def _personal_fields(model) -> list[str]:
    found = []
    for field in [*model._meta.fields, *model._meta.many_to_many]:
        points_at_person = field.is_relation and field.related_model in (User, Member)
        holds_address = isinstance(field, models.EmailField) or "email" in field.name.lower()
        if points_at_person or holds_address:
            found.append(field.name)
    return found


def _uncovered(candidates) -> list[str]:
    covered = set(personal_data.covered_models())
    return sorted(
        f"{model._meta.label} ({', '.join(_personal_fields(model))})"
        for model in candidates
        if not model._meta.proxy
        and _personal_fields(model)
        and model not in covered
        and model._meta.label not in NOT_PERSONAL
    )


def test_every_model_with_personal_data_is_covered_by_a_hook():
    assert _uncovered(apps.get_models()) == []


def test_the_rule_sees_the_kinds_of_rows_it_is_meant_to_see():
    flagged = {model._meta.label for model in apps.get_models() if _personal_fields(model)}
    # Third-party apps, a relation to the member profile (many-to-many), an address field.
    assert {
        "admin.LogEntry",
        "account.EmailAddress",
        "account.EmailConfirmation",
        "exchanges.Session",
        "practice.Guide",
        "invitations.Invitation",
        "outbox.OutboxMessage",
        "evidence.Response",
    } <= flagged


@isolate_apps("digests")
def test_a_new_model_pointing_at_the_user_without_a_hook_fails():
    class DigestBookmark(models.Model):
        user = models.ForeignKey(User, on_delete=models.CASCADE)

        class Meta:
            app_label = "digests"

        def __str__(self) -> str:
            return str(self.pk)

    assert _uncovered([DigestBookmark]) == ["digests.DigestBookmark (user)"]


def test_allow_list_names_only_models_that_exist_and_are_not_covered():
    labels = {model._meta.label for model in apps.get_models()}
    covered = {model._meta.label for model in personal_data.covered_models()}
    for label in NOT_PERSONAL:
        assert label in labels and label not in covered


def test_every_covered_model_is_installed_and_concrete():
    for model, app in personal_data.covered_models().items():
        assert apps.get_model(model._meta.label) is model, app
        assert not model._meta.proxy and not model._meta.abstract


def test_hooks_follow_the_installed_apps_order():
    order = [config.label for config in apps.get_app_configs()]
    labels = [hook.app for hook in personal_data.hooks()]
    assert labels == sorted(labels, key=order.index)
    assert {"network", "outbox", "exchanges", "evidence", "practice", "digests"} <= set(labels)


def test_registering_for_an_app_that_is_not_installed_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        personal_data.register(app="nosuchapp", export=dict, erase=lambda user: None, models=[])
