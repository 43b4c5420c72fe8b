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


# --- bench ---------------------------------------------------------------------------------

BENCH_PROGRAMMES = 200
EXCHANGES_EACH = 10
COHORT_EACH = 30


def seed_bench(*, options, stdout) -> None:
    """Issue 14: 200 published programmes of ten bench exchanges each, every other one with a
    cohort of thirty enrolled members. Bulk inserts; idempotent."""
    import random

    from core import cache
    from devtools.seed.scaling import scaled

    if Programme.objects.filter(slug__startswith="bench-programme-").exists():
        stdout.write("programmes: bench data already present.")
        return
    exchanges = list(
        Exchange.objects.filter(slug__startswith="bench-exchange-").order_by("pk").values_list("pk", "starts_at")
    )
    if not exchanges:
        return
    rng = random.Random(19)
    rows = []
    chosen = {}
    for n in range(scaled(options, BENCH_PROGRAMMES)):
        picked = rng.sample(exchanges, k=min(EXCHANGES_EACH, len(exchanges)))
        slug = f"bench-programme-{n}"
        chosen[slug] = [pk for pk, _at in picked]
        starts = min(at for _pk, at in picked).date()
        ends = max(at for _pk, at in picked).date()
        rows.append(
            Programme(
                slug=slug,
                title=f"Bench programme {n}: organising across borders",
                summary="A year of exchanges and visits between organisers.",
                description="Organisers visit each other, then meet online to compare what they tried.",
                starts_on=starts,
                ends_on=max(ends, starts),
                status=Programme.Status.PUBLISHED if n % 10 else Programme.Status.DRAFT,
                cohort=Programme.Cohort.OPEN if n % 2 else Programme.Cohort.NONE,
            )
        )
    Programme.objects.bulk_create(rows, batch_size=1000)
    ids = dict(Programme.objects.filter(slug__startswith="bench-programme-").values_list("slug", "pk"))
    through = Programme.exchanges.through
    through.objects.bulk_create(
        [through(programme_id=ids[slug], exchange_id=pk) for slug, pks in chosen.items() for pk in pks],
        batch_size=5000,
        ignore_conflicts=True,
    )
    bench_users = User.objects.filter(email__endswith="@bench.example.org")
    user_ids = list(bench_users.values_list("pk", flat=True)[: scaled(options, 3000)])
    enrolments = [
        Enrolment(programme_id=ids[row.slug], user_id=user_id, state=Enrolment.State.ENROLLED)
        for row in rows
        if row.cohort == Programme.Cohort.OPEN
        for user_id in rng.sample(user_ids, k=min(COHORT_EACH, len(user_ids)))
    ]
    Enrolment.objects.bulk_create(enrolments, batch_size=5000)
    cache.changed("exchanges")
    stdout.write(f"programmes: {len(rows)} bench programmes, {len(enrolments)} enrolments added.")
