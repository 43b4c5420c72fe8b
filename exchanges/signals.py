"""Every change that could alter a cached exchange page invalidates the exchange fragments
(``exchanges/cache.py``): exchanges, their sessions and registrations (place counts, who is
going), hosts, partners, themes and facilitators, and the names shown of organisations,
themes, members and accounts."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from exchanges.cache import exchanges_changed
from exchanges.models import Exchange, Registration, Session
from network.models import Member, Membership, Organisation, Theme, User


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    # A login only stamps last_login: no name shown on an exchange page changes.
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    exchanges_changed()


def _registration_changed(sender, instance, update_fields=None, **kwargs) -> None:
    # Reminder and invitation claims stamp a time only: no count or name changes.
    if update_fields is not None and set(update_fields) <= {
        "reminded_7d_at",
        "reminded_1d_at",
        "reflection_invited_at",
        "sensitive_erased_at",
        "access_needs",
        "dietary_needs",
        "interpretation_needs",
    }:
        return
    exchanges_changed()


def connect() -> None:
    for model in (Exchange, Session, Organisation, Theme, Member, Membership):
        post_save.connect(exchanges_changed, sender=model, dispatch_uid=f"exchanges_changed_save_{model.__name__}")
    for model in (Exchange, Session, Registration, Organisation, Theme, Member, Membership, User):
        post_delete.connect(exchanges_changed, sender=model, dispatch_uid=f"exchanges_changed_delete_{model.__name__}")
    post_save.connect(_registration_changed, sender=Registration, dispatch_uid="exchanges_changed_save_Registration")
    post_save.connect(_user_changed, sender=User, dispatch_uid="exchanges_changed_save_User")
    for through in (
        Exchange.hosts.through,
        Exchange.partners.through,
        Exchange.themes.through,
        Session.facilitators.through,
        Member.organisations.through,
    ):
        m2m_changed.connect(exchanges_changed, sender=through, dispatch_uid=f"exchanges_changed_m2m_{through.__name__}")
