"""The one registry of personal data: what every app holds about a person, and how it goes.

Every installed app that stores anything about a person has a ``<app>/personal_data.py``
that calls ``register`` once, at import:

* ``export(user) -> dict``: everything the app holds about ``user``, JSON-serialisable
  (dates as ISO strings). It lands under the app's label in the member's data download.
* ``erase(user) -> None``: delete or anonymise it. Called inside the account-deletion
  transaction (``network.services.account_delete``), later apps (``INSTALLED_APPS`` order)
  first, so that each app can still read what the apps below it hold (the profile, the
  email addresses) — and before the user row itself is anonymised. Contributions stay,
  attributed to that anonymised row, whose ``public_name`` is "former member".
* ``models``: every model whose rows the hook covers. ``tests/personal_data`` fails when a
  model that points at the user or a member profile, or holds an email address, is covered
  by no hook, and creates a row of every covered model before it checks, after a deletion,
  that no table holds the person's address, name or answers.

The modules are found once, by Django's ``autodiscover_modules("personal_data")`` (called from
``CoreConfig.ready``), over every installed app — ours and third-party ones alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

# The placeholder that takes the place of an erased address wherever a row must keep one.
ERASED_ADDRESS = "erased@deleted.invalid"


class ErasureBusy(Exception):
    """A hook could not take a lock it needs (e.g. an exchange's places) in time; nothing
    was erased (the deletion's transaction rolls back). The person may simply try again."""


@dataclass(frozen=True)
class Hook:
    app: str
    export: Callable[[Any], dict]
    erase: Callable[[Any], None]
    models: tuple[type[models.Model], ...]


_hooks: dict[str, Hook] = {}


def register(
    *,
    app: str,
    export: Callable[[Any], dict],
    erase: Callable[[Any], None],
    models: Iterable[type[models.Model]],
) -> None:
    """Register the personal-data hook of the installed app labelled ``app`` (once per app)."""
    try:
        apps.get_app_config(app)
    except LookupError:
        raise ImproperlyConfigured(f"personal_data.register: {app!r} is not the label of an installed app.")
    existing = _hooks.get(app)
    hook = Hook(app=app, export=export, erase=erase, models=tuple(models))
    if existing is not None and existing.export.__module__ != export.__module__:
        raise ImproperlyConfigured(
            f"personal_data.register: {app!r} is registered twice ({existing.export.__module__}, {export.__module__})."
        )
    _hooks[app] = hook


def discover() -> None:
    """Import every installed app's ``personal_data`` module (each registers itself)."""
    autodiscover_modules("personal_data")


def hooks() -> list[Hook]:
    """The registered hooks in ``INSTALLED_APPS`` order."""
    order = {config.label: n for n, config in enumerate(apps.get_app_configs())}
    return sorted(_hooks.values(), key=lambda hook: order.get(hook.app, len(order)))


def covered_models() -> dict[type[models.Model], str]:
    """Every covered model, with the app whose hook covers it."""
    return {model: hook.app for hook in hooks() for model in hook.models}


def export(user) -> dict:
    """Everything held about ``user``: one section per app, in ``INSTALLED_APPS`` order."""
    data: dict = {"generated_at": timezone.now().isoformat()}
    for hook in hooks():
        data[hook.app] = hook.export(user)
    return data


def erase(user) -> None:
    """Run every app's erasure, later apps first. The caller holds the transaction (and the
    lock on the user row); ``ErasureBusy`` from any hook rolls the whole erasure back."""
    for hook in reversed(hooks()):
        hook.erase(user)


def person_addresses(user) -> list[str]:
    """Every email address of ``user`` (the login and allauth's addresses), lower-cased:
    what the outbox and invitations match rows by. Read before ``network`` erases them."""
    from allauth.account.models import EmailAddress

    addresses = {user.email.lower()} if user.email else set()
    addresses |= {email.lower() for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    return sorted(addresses)


def iso(value) -> str | None:
    """A date or time for the download (``None`` stays ``None``)."""
    return value.isoformat() if value is not None else None
