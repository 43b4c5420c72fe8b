"""The strategy's emails to the members who opted in through their digest preferences
(``DigestPreference.send_consultations``; off unless chosen): "a consultation on the strategy
opens" and "a new version of the strategy is published".

Connected to ``strategy.signals.consultation_opened`` and ``version_published``, which are sent
inside the transaction that opens the round or publishes the version: the emails are outbox
rows of that transaction (``email_queue_many``, rendered once per language), handed to the
workers after commit. One email per member and round or version (the idempotency key).
"""

from __future__ import annotations

from collections.abc import Callable

from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation

from digests.models import DigestPreference
from outbox.services import RenderedEmail, absolute_url, email_queue_many, email_render, language_for
from strategy.signals import consultation_opened, version_published

TEMPLATE = "digests/emails/consultation_opened"
VERSION_TEMPLATE = "digests/emails/version_published"


def audience():
    """The preferences of the members who asked to hear about the strategy (and still may)."""
    return DigestPreference.objects.filter(
        send_consultations=True,
        unsubscribed_at__isnull=True,
        user__is_active=True,
        user__deleted_at__isnull=True,
    ).select_related("user__member")


def _notify(version, *, kind: str, template: str, key: str, context: Callable[[str, str, str], dict]) -> int:
    """Queue one email per opted-in member, rendered once per language. ``context(language,
    title, url)`` gives the template its context; the title is the version's in the reader's
    language (the original where that language has none)."""
    texts = {t.language: t for t in version.texts.all()}
    rendered: dict[str, tuple[str, str, str]] = {}
    emails = []
    for preference in audience():
        user = preference.user
        if not user.email:
            continue
        language = language_for(user=user)
        if language not in rendered:
            text = texts.get(language) or texts.get(version.original_language)
            with translation.override(language):
                url = absolute_url(reverse("strategy:document_detail", kwargs={"slug": version.document.slug}))
            title = text.title if text else version.document.slug
            rendered[language] = email_render(
                template=template, context=context(language, title, url), language=language
            )
        subject, body, html = rendered[language]
        emails.append(
            RenderedEmail(
                to=user.email,
                kind=kind,
                subject=subject,
                text=body,
                html=html,
                language=language,
                idempotency_key=f"{key}-{user.pk}",
                user_id=user.pk,
            )
        )
    email_queue_many(emails=emails)
    return len(emails)


@receiver(consultation_opened, dispatch_uid="digests_consultation_opened")
def consultation_opened_notify(sender, consultation, **kwargs) -> int:
    return _notify(
        consultation.version,
        kind="digests_consultation_opened",
        template=TEMPLATE,
        key=f"digests-consultation-{consultation.pk}",
        context=lambda language, title, url: {"title": title, "round": consultation, "url": url},
    )


@receiver(version_published, dispatch_uid="digests_version_published")
def version_published_notify(sender, version, **kwargs) -> int:
    return _notify(
        version,
        kind="digests_version_published",
        template=VERSION_TEMPLATE,
        key=f"digests-version-{version.pk}",
        context=lambda language, title, url: {"title": title, "version": version, "url": url},
    )
