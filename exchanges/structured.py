"""schema.org ``Event`` data of an exchange's page, for search engines and calendars.

Only what the public page shows: the city and country of an in-person exchange (never the
full address, which is for participants) and the page itself as the online location (never
the joining link)."""

from __future__ import annotations

from django.conf import settings

from exchanges.models import Exchange

STATUS = {
    Exchange.Status.PUBLISHED: "https://schema.org/EventScheduled",
    Exchange.Status.CANCELLED: "https://schema.org/EventCancelled",
}
MODE = {
    Exchange.Format.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Exchange.Format.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Exchange.Format.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


def event_json_ld(exchange: Exchange, text) -> dict:
    if exchange.status not in STATUS:
        return {}
    url = settings.SITE_URL + exchange.get_absolute_url()
    locations = []
    if exchange.is_in_person:
        locations.append(
            {
                "@type": "Place",
                "name": exchange.city or str(exchange.country.name),
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": exchange.city,
                    "addressCountry": str(exchange.country),
                },
            }
        )
    if exchange.is_online:
        locations.append({"@type": "VirtualLocation", "url": url})
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": text.title,
        "description": text.summary,
        "startDate": exchange.starts_at.isoformat(),
        "endDate": exchange.ends_at.isoformat(),
        "eventStatus": STATUS[exchange.status],
        "eventAttendanceMode": MODE[exchange.format],
        "location": locations[0] if len(locations) == 1 else locations,
        "inLanguage": list(exchange.working_languages or []),
        "organizer": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL + "/"},
    }
    return data
