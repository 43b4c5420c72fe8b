"""Personal data the digests app holds: a member's digest preference and their deliveries.

Erasure: the preference (with its chosen themes) and every delivery are deleted. Deliveries
only exist to send each member's digest exactly once per period; the job's own totals stay in
``DigestRun`` (queued, empty, already delivered), so the history of each run keeps its
numbers. The links in digests already sent (preferences, unsubscribe) are signed tokens,
never stored: they stop working because they resolve only to an active, undeleted account
(``digests.tokens.token_user``). The digest emails themselves are redacted by the outbox.
"""

from __future__ import annotations

from core import personal_data
from core.personal_data import iso
from digests.models import DigestDelivery, DigestPreference


def export(user) -> dict:
    preference = DigestPreference.objects.filter(user=user).prefetch_related("themes").first()
    data: dict = {"preference": None, "deliveries": []}
    if preference is not None:
        data["preference"] = {
            "frequency": preference.frequency,
            "sections": sorted(preference.wanted_sections()),
            "themes_scope": preference.themes_scope,
            "themes": sorted(theme.slug for theme in preference.themes.all()),
            "countries_scope": preference.countries_scope,
            "countries": [country.code for country in preference.countries],
            "languages_scope": preference.languages_scope,
            "languages": list(preference.languages),
            "covered_until": iso(preference.covered_until),
            "unsubscribed_at": iso(preference.unsubscribed_at),
            "created_at": iso(preference.created_at),
            "updated_at": iso(preference.updated_at),
        }
    data["deliveries"] = [
        {
            "frequency": delivery.frequency,
            "period": delivery.period,
            "state": delivery.state,
            "items": delivery.item_count,
            "created_at": iso(delivery.created_at),
        }
        for delivery in DigestDelivery.objects.filter(user=user).order_by("created_at")
    ]
    return data


def erase(user) -> None:
    DigestDelivery.objects.filter(user=user).delete()
    DigestPreference.objects.filter(user=user).delete()


personal_data.register(app="digests", export=export, erase=erase, models=[DigestPreference, DigestDelivery])
