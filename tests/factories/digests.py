"""Rows the digest tests need: members with preferences, and content the providers report.

Exchanges and evidence are created as their owners' apps publish them, so that the real
``exchanges/digest.py`` and ``evidence/digest.py`` report them: an exchange has its
``published_at`` and its ``audience``; an evidence record is an outcome statement (no
consent needed) unless a kind that needs consent is asked for, which then gets a live
consent for the audiences given.
"""

from __future__ import annotations

import datetime as dt

from django.utils.text import slugify

from digests.models import DigestPreference
from evidence.models import CONSENT_KINDS, EvidenceRecord, RecordCountry
from exchanges.models import Exchange, Registration
from network.models import Role, Theme
from tests.factories.evidence import ConsentFactory
from tests.factories.network import UserFactory, member_for

# A Monday morning: the weekly period that just ended is 2026-11-16 … 2026-11-23 (2026-W47).
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
LAST_WEEK = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)


def theme(slug: str) -> Theme:
    name = slug.replace("-", " ").title()
    # Every language's name, whatever language happens to be active.
    defaults = {"name_en": name, "name_sv": name, "name_nl": name}
    return Theme.objects.get_or_create(slug=slug, defaults=defaults)[0]


def member(
    *,
    email: str | None = None,
    role: str = Role.ORGANISER,
    language: str = "en",
    themes: tuple[str, ...] = (),
    country: str = "",
    languages: tuple[str, ...] = (),
    name: str | None = None,
    **preference,
):
    """A verified member; ``preference`` fields (if any) are saved as their digest preference."""
    kwargs = {"role": role}
    if email:
        kwargs["email"] = email
    user = UserFactory(**kwargs)
    profile = member_for(
        user,
        display_name=name or user.email.split("@")[0],
        preferred_language=language,
        country=country,
        languages=list(languages),
    )
    profile.themes.set([theme(slug) for slug in themes])
    if preference:
        chosen_themes = preference.pop("chosen_themes", ())
        if "chosen_languages" in preference:
            preference["languages"] = preference.pop("chosen_languages")
        saved = DigestPreference.objects.create(user=user, **preference)
        saved.themes.set([theme(slug) for slug in chosen_themes])
    return user


def exchange(
    *,
    title: str = "Online exchange on organising tenants",
    opens_at: dt.datetime = LAST_WEEK,
    starts_at: dt.datetime | None = None,
    published_at: dt.datetime | None = None,
    status: str = Exchange.Status.PUBLISHED,
    kind: str = Exchange.Kind.ONLINE,
    audience: str = Exchange.Audience.MEMBERS,
    themes: tuple[str, ...] = (),
    country: str = "",
    languages: tuple[str, ...] = ("en",),
    summary: str = "Organisers from three countries compare notes.",
) -> Exchange:
    """An exchange whose sign-up opens at ``opens_at``; published then too unless it is a draft."""
    starts_at = starts_at or opens_at + dt.timedelta(days=30)
    if published_at is None and status != Exchange.Status.DRAFT:
        published_at = opens_at
    item = Exchange.objects.create(
        title=title,
        slug=slugify(title)[:190] + f"-{Exchange.objects.count()}",
        summary=summary,
        kind=kind,
        audience=audience,
        status=status,
        published_at=published_at,
        country=country,
        working_languages=list(languages),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        registration_opens_at=opens_at,
    )
    item.themes.set([theme(slug) for slug in themes])
    return item


def evidence(
    *,
    title: str = "How tenants in Bergsjön won repairs",
    published_at: dt.datetime = LAST_WEEK,
    visibility: str = EvidenceRecord.Visibility.NETWORK,
    status: str = EvidenceRecord.Status.PUBLISHED,
    kind: str = EvidenceRecord.Kind.OUTCOME,
    consent: tuple[str, ...] = ("network", "funders", "public"),
    themes: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    language: str = "en",
    summary: str = "Tenants won repairs after a year of organising.",
) -> EvidenceRecord:
    """A record; a story, testimony or media item gets a live consent for ``consent``'s audiences."""
    layer = EvidenceRecord.Layer.OUTCOME if kind == EvidenceRecord.Kind.OUTCOME else EvidenceRecord.Layer.PROCESS
    record = EvidenceRecord.objects.create(
        kind=kind,
        layer=layer,
        title=title,
        summary=summary,
        status=status,
        visibility=visibility,
        original_language=language,
        published_at=published_at,
    )
    record.themes.set([theme(slug) for slug in themes])
    RecordCountry.objects.bulk_create([RecordCountry(record=record, country=code) for code in countries])
    if kind in CONSENT_KINDS:
        ConsentFactory(
            record=record,
            audience_network="network" in consent,
            audience_funders="funders" in consent,
            audience_public="public" in consent,
        )
    return record


def registration(user, item: Exchange, state: str = Registration.State.CONFIRMED) -> Registration:
    return Registration.objects.create(user=user, exchange=item, state=state)
