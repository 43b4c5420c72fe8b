"""Personal data of programmes: a person's enrolments and cohort applications (enrolled,
applied, declined), exported; deleted on erasure (the cohort is who takes part now;
attendance stays with the registrations)."""

from __future__ import annotations

from core import personal_data
from core.personal_data import iso
from programmes.models import Enrolment


def export(user) -> dict:
    return {
        "enrolments": [
            {
                "programme": e.programme.title,
                "programme_slug": e.programme.slug,
                "state": e.state,
                "created_at": iso(e.created_at),
            }
            for e in Enrolment.objects.filter(user=user).select_related("programme").order_by("created_at")
        ]
    }


def erase(user) -> None:
    Enrolment.objects.filter(user=user).delete()


personal_data.register(app="programmes", export=export, erase=erase, models=[Enrolment])
