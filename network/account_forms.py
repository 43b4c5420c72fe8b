"""allauth's forms in the site's words (``ACCOUNT_FORMS``)."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """allauth's login form, with the site's capitalisation ("Remember me", not "Remember Me")."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remember"].label = _("Remember me")
