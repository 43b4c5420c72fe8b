"""The email "a consultation on the strategy opens", to the members who opted in through their
digest preferences (``DigestPreference.send_consultations``; off unless chosen).

Connected to ``strategy.signals.consultation_opened``, which is sent inside the transaction
that opens the round: the emails are outbox rows of that transaction (``email_queue_many``,
rendered once per language), handed to the workers after commit. One email per member and
round (the idempotency key).
"""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation

from digests.models import DigestPreference
from outbox.services import RenderedEmail, absolute_url, email_queue_many, email_render, language_for
from strategy.signals import consultation_opened

TEMPLATE = "digests/emails/consultation_opened"


@receiver(consultation_opened, dispatch_uid="digests_consultation_opened")
def consultation_opened_notify(sender, consultation, **kwargs) -> int:
    preferences = DigestPreference.objects.filter(
        send_consultations=True,
        unsubscribed_at__isnull=True,
        user__is_active=True,
        user__deleted_at__isnull=True,
    ).select_related("user__member")
    version = consultation.version
    texts = {t.language: t for t in version.texts.all()}
    rendered: dict[str, tuple[str, str, str]] = {}
    emails = []
    for preference in preferences:
        user = preference.user
        if not user.email:
            continue
        language = language_for(user=user)
        if language not in rendered:
            text = texts.get(language) or texts.get(version.original_language)
            with translation.override(language):
                url = absolute_url(reverse("strategy:document_detail", kwargs={"slug": version.document.slug}))
            rendered[language] = email_render(
                template=TEMPLATE,
                context={"title": text.title if text else version.document.slug, "round": consultation, "url": url},
                language=language,
            )
        subject, body, html = rendered[language]
        emails.append(
            RenderedEmail(
                to=user.email,
                kind="digests_consultation_opened",
                subject=subject,
                text=body,
                html=html,
                language=language,
                idempotency_key=f"digests-consultation-{consultation.pk}-{user.pk}",
                user_id=user.pk,
            )
        )
    email_queue_many(emails=emails)
    return len(emails)
