from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks. Email delivery goes through the outbox (see the email issue)."""
