from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks. Email delivery goes through the outbox (see the email issue)."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # Someone who signs up on the Swedish pages wants Swedish; they can change it later.
            member = user.member
            language = get_language()
            if language in dict(settings.LANGUAGES) and language != member.preferred_language:
                member.preferred_language = language
                member.save(update_fields=["preferred_language", "updated_at"])
        return user

    def get_login_redirect_url(self, request):
        """After logging in, continue in the member's preferred language."""
        url = super().get_login_redirect_url(request)
        member = getattr(request.user, "member", None)
        if member is not None and member.preferred_language:
            return translate_url(url, member.preferred_language)
        return url
