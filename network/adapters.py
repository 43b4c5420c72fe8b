"""allauth hooks: its emails go through the outbox; a new account speaks the page's language.

Invitations are honoured at signup by ``invitations.adapters.AccountAdapter``, the subclass
that ``ACCOUNT_ADAPTER`` names (network sits below the invitations app and cannot call it).
"""

from __future__ import annotations

import hashlib
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from outbox.services import email_html_from_text, email_queue_rendered, language_for

# allauth's emails without a key of their own (e.g. "an account already exists") are
# deduplicated within this many seconds: a double-submitted form sends one email.
IDEMPOTENCY_BUCKET_SECONDS = 60

# allauth's emails that hold no credential: notices of a change, and "no such account" /
# "an account already exists" (their links lead to the public signup and reset forms).
# Every other allauth email is treated as carrying a secret (a reset key or code, an
# email confirmation key or code, a login code), including any an allauth upgrade adds:
# a new kind stays hidden until someone decides it is harmless and lists it here.
ACCOUNT_EMAILS_WITHOUT_SECRET = frozenset(
    {
        "account_already_exists",
        "unknown_account",
        "email_changed",
        "email_deleted",
        "password_changed",
        "password_reset",
        "password_set",
    }
)


class AccountAdapter(DefaultAccountAdapter):
    """Email delivery goes through the outbox; new members speak the language of the signup page."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email in the recipient's language and write it to the outbox.

        Language: the member's preferred language if the address belongs to an account,
        else the language of the page the request came from. The row is written in the
        current transaction (if any) and handed to a worker after commit. Every email that
        holds a key, code or keyed link is marked ``carries_secret`` (``email_carries_secret``).
        """
        language = language_for(email=email, default=translation.get_language())
        request = allauth_context.request
        ctx = {"email": email, "request": request, **context}
        with translation.override(language):
            ctx.setdefault("current_site", _current_site(request))
            rendered = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(rendered, "alternatives", []):
            if mimetype == "text/html":
                html = content
        text = rendered.body
        if getattr(rendered, "content_subtype", "plain") == "html":
            html, text = rendered.body, ""
        if not html:
            html = email_html_from_text(text=text, language=language)
        email_queue_rendered(
            to=email,
            kind="account:" + template_prefix.rsplit("/", 1)[-1],
            subject=rendered.subject,
            text=text,
            html=html,
            language=language,
            idempotency_key=_idempotency_key(template_prefix, email, context),
            from_email=rendered.from_email,
            carries_secret=email_carries_secret(template_prefix, context),
        )

    def save_user(self, request, user, form, commit=True):
        """Create the user, speaking the language of the signup page from now on."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            member = getattr(user, "member", None)
            language = translation.get_language()
            supported = {code for code, _ in settings.LANGUAGES}
            if member is not None and language in supported and member.preferred_language != language:
                member.preferred_language = language
                member.save(update_fields=["preferred_language", "updated_at"])
        return user


def email_carries_secret(template_prefix: str, context: dict) -> bool:
    """Whether an allauth email holds a credential: yes unless its kind is a known notice,
    and yes whenever its context carries a key or code (whatever the kind)."""
    name = template_prefix.rsplit("/", 1)[-1]
    if name not in ACCOUNT_EMAILS_WITHOUT_SECRET:
        return True
    return any(context.get(field) for field in ("key", "code", "activate_url"))


def _current_site(request):
    from django.contrib.sites.shortcuts import get_current_site

    return get_current_site(request)


def _idempotency_key(template_prefix: str, email: str, context: dict) -> str:
    """One row per logical email: the key, code or link allauth made for it, or else the
    current minute."""
    secret = ""
    for name in ("key", "code", "activate_url", "password_reset_url"):
        if context.get(name):
            secret = str(context[name])
            break
    if not secret:
        secret = f"t{int(time.time() // IDEMPOTENCY_BUCKET_SECONDS)}"
    digest = hashlib.sha256(f"{email.lower()}\x00{template_prefix}\x00{secret}".encode()).hexdigest()
    return f"account:{digest}"
