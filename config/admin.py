"""The coordinators' admin site: Django's, with a dashboard of what needs acting on above the
list of apps. It lives here, above every app, because it reads several of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceRecord
from exchanges.models import Exchange, Registration
from network.models import Membership
from outbox.models import OutboxMessage

# How far ahead the dashboard looks, and how many exchanges it lists at most.
UPCOMING_DAYS = 30
UPCOMING_LIMIT = 12


@dataclass(frozen=True)
class Waiting:
    """One line of the "waiting for you" panel: how many, what, and the list that shows them."""

    count: int
    label: str
    url: str


def _changelist(model, **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def coordinator_dashboard(request, now=None) -> dict:
    """What coordinators act on, in a fixed number of queries whatever the data: exchanges
    starting within ``UPCOMING_DAYS`` with their places and waiting lists (one query), and one
    count query per kind of thing waiting for a decision. Each part only for those who may
    view its model."""
    now = now or timezone.now()
    until = now + timedelta(days=UPCOMING_DAYS)
    user = request.user
    dashboard: dict = {"upcoming_days": UPCOMING_DAYS}

    if user.has_perm("exchanges.view_exchange"):
        upcoming = list(
            Exchange.objects.filter(starts_at__gte=now, starts_at__lt=until)
            .exclude(status=Exchange.Status.CANCELLED)
            .with_place_counts()
            .order_by("starts_at")[: UPCOMING_LIMIT + 1]
        )
        dashboard["upcoming"] = upcoming[:UPCOMING_LIMIT]
        dashboard["upcoming_more"] = len(upcoming) > UPCOMING_LIMIT
        dashboard["upcoming_url"] = _changelist(
            Exchange,
            starts_at__gte=now.replace(microsecond=0).isoformat(),
            starts_at__lt=until.replace(microsecond=0).isoformat(),
        )

    waiting = []
    if user.has_perm("exchanges.view_registration"):
        waiting.append(
            Waiting(
                Registration.objects.filter(state=Registration.State.APPLIED, exchange__ends_at__gte=now).count(),
                _("applications waiting for a decision"),
                _changelist(Registration, state__exact=Registration.State.APPLIED),
            )
        )
    if user.has_perm("evidence.view_evidencerecord"):
        # Filtered first, so that the status index finds the few records waiting instead of a
        # scan of every record (the count must not grow with the library: issue 16).
        counts = EvidenceRecord.objects.filter(
            status__in=[EvidenceRecord.Status.SUBMITTED, EvidenceRecord.Status.IN_REVIEW]
        ).aggregate(
            submitted=Count("pk", filter=Q(status=EvidenceRecord.Status.SUBMITTED)),
            in_review=Count("pk", filter=Q(status=EvidenceRecord.Status.IN_REVIEW)),
        )
        waiting += [
            Waiting(
                counts["submitted"],
                _("evidence records submitted for review"),
                _changelist(EvidenceRecord, status__exact=EvidenceRecord.Status.SUBMITTED),
            ),
            Waiting(
                counts["in_review"],
                _("evidence records in review"),
                _changelist(EvidenceRecord, status__exact=EvidenceRecord.Status.IN_REVIEW),
            ),
        ]
    if user.has_perm("network.view_membership"):
        waiting.append(
            Waiting(
                Membership.objects.filter(state=Membership.State.REQUESTED).count(),
                _("requests to join an organisation"),
                _changelist(Membership, state__exact=Membership.State.REQUESTED),
            )
        )
    if user.has_perm("outbox.view_outboxmessage"):
        waiting.append(
            Waiting(
                OutboxMessage.objects.filter(state=OutboxMessage.State.FAILED).count(),
                _("emails that could not be sent"),
                _changelist(OutboxMessage, state__exact=OutboxMessage.State.FAILED),
            )
        )
    dashboard["waiting"] = waiting
    return dashboard


class LearningLabAdminSite(admin.AdminSite):
    site_header = "Learning Lab"
    site_title = "Learning Lab"
    index_template = "admin/learninglab_index.html"
    # The sidebar repeats the index and takes a fifth of a laptop's width from the change
    # lists' columns and the forms: coordinators move through the index and the breadcrumbs.
    enable_nav_sidebar = False

    def each_context(self, request):
        # Django's context for every admin page, but with ``available_apps`` (every model's
        # name, two links and four permission checks each, for the sidebar, which is off) built
        # only if a template reads it: on a small admin page that list took a third of the time.
        script_name = request.META["SCRIPT_NAME"]
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": script_name if self.site_url == "/" and script_name else self.site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(partial(self.get_app_list, request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }

    def index(self, request, extra_context=None):
        extra_context = extra_context or {}
        if request.viewer.is_coordinator:
            extra_context["dashboard"] = coordinator_dashboard(request)
        return super().index(request, extra_context)
