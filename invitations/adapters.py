"""The allauth adapter of the site: network's, plus invitations honoured at signup."""

from __future__ import annotations

from invitations.services import invitation_accept_from_session
from network.adapters import AccountAdapter as NetworkAccountAdapter


class AccountAdapter(NetworkAccountAdapter):
    """Invited people sign up already verified and join the invitation's organisation."""

    def save_user(self, request, user, form, commit=True):
        """Create the user (network's adapter); if they came through an invitation link, accept
        it for them. This runs before allauth records the address, so a link revoked or expired
        meanwhile still stops the address from being created verified."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            invitation_accept_from_session(request=request, user=user)
        return user
