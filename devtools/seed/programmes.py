"""Demo programmes: the Learning Lab 2022–23 (every demo exchange, with reciprocal visits) and
the Gothenburg training (its Göteborg visits, with a cohort the demo organiser is in)."""

from __future__ import annotations

from exchanges.models import Exchange
from network.models import User
from programmes.models import Enrolment, Programme

# Visit → its return visit.
PAIRS = [
    ("visit-navet-i-bergsjon", "visit-hellendoorn-learning-community"),
    ("visit-digidem-lab-tynnered", "visit-community-organisers-england"),
]
GOTHENBURG = [
    "visit-digidem-lab-tynnered",
    "visit-navet-i-bergsjon",
    "visit-tillsammans-hjallbo",
    "visit-agera-goteborg",
]
COHORT = ["organiser@example.org", "amina.yusuf@example.org", "erik.lindqvist@example.org", "sara.haddad@example.org"]


def _programme(slug: str, exchanges, **fields) -> Programme | None:
    exchanges = list(exchanges)
    if Programme.objects.filter(slug=slug).exists() or not exchanges:
        return None
    starts = min(e.starts_at for e in exchanges).date()
    ends = max(e.ends_at for e in exchanges).date()
    programme = Programme.objects.create(
        slug=slug, starts_on=starts, ends_on=ends, status=Programme.Status.PUBLISHED, **fields
    )
    programme.exchanges.set(exchanges)
    return programme


def seed_demo(*, stdout) -> None:
    demo = {e.slug: e for e in Exchange.objects.exclude(status=Exchange.Status.DRAFT)}
    for visit, back in PAIRS:
        if visit in demo and back in demo and demo[visit].return_visit_id is None:
            Exchange.objects.filter(pk=demo[visit].pk).update(return_visit=demo[back])
    _programme(
        "learning-lab",
        demo.values(),
        title="Learning Lab",
        summary="Online exchanges, six visits between organisations, the European Learning Exchange and "
        "funder convenings: organisers across Europe learning from each other.",
        description="Organisers visit each other to learn and work directly together; the visits come in "
        "pairs, each host visiting their visitors in return.",
    )
    training = _programme(
        "gothenburg-training",
        [demo[slug] for slug in GOTHENBURG if slug in demo],
        title="Community organising training, Göteborg",
        summary="A cohort of organisers, workshops and case studies in Tynnered, Bergsjön and Hjällbo.",
        cohort=Programme.Cohort.OPEN,
    )
    if training is not None:
        for user in User.objects.filter(email__in=COHORT):
            Enrolment.objects.get_or_create(programme=training, user=user, defaults={"state": Enrolment.State.ENROLLED})
    stdout.write(f"programmes: {Programme.objects.count()} demo programmes.")
