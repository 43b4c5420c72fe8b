"""Demo and bench data for the evidence base.

``seed_demo`` tells the story of the Learning Lab (seeds/000) and the Gothenburg training
programme "Community Organising för lokalt ledarskap" (seeds/001), plus two self-assessment
rounds for Hellendoorn's learning community (seeds/002–004). Idempotent: rows are found by
natural keys (slug, title) before anything is created.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from core import cache
from devtools.seed.network import HELLENDOORN_RESPONDENTS
from evidence.models import (
    Answer,
    Community,
    Consent,
    EvidenceRecord,
    Framework,
    Indicator,
    MetricSplit,
    MetricUpdate,
    OutcomeType,
    ProcessDimension,
    Question,
    RecordCountry,
    Response,
    Revision,
    Round,
    Target,
)
from network.models import Membership, Organisation, Theme

ORGANISATIONS = [
    ("digidem-lab", "Digidem Lab", "SE", "Göteborg", Organisation.Kind.COMMUNITY_ORGANISING),
    ("navet-i-bergsjon", "Navet i Bergsjön", "SE", "Göteborg", Organisation.Kind.GRASSROOTS),
    ("tillsammans-hjallbo", "Tillsammans Hjällbo", "SE", "Göteborg", Organisation.Kind.GRASSROOTS),
    ("agera-goteborg", "Agera Göteborg", "SE", "Göteborg", Organisation.Kind.GRASSROOTS),
    ("postkodstiftelsen", "Postkodstiftelsen", "SE", "Stockholm", Organisation.Kind.FUNDER),
    ("community-organisers", "Community Organisers", "GB", "London", Organisation.Kind.NETWORK),
    ("gemeente-hellendoorn", "Gemeente Hellendoorn", "NL", "Nijverdal", Organisation.Kind.PUBLIC_BODY),
]

# Quarters Q2 2024 … Q3 2025: six quarters of figures.
QUARTERS = [
    (datetime.date(2024, 4, 1), datetime.date(2024, 6, 30)),
    (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30)),
    (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31)),
    (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
    (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
]

STORIES = [
    {
        "title": "Hjällbo residents refuse to be moved out",
        "summary": "A group of tenants organised against a gentrification process that would push them out.",
        "body": (
            "We are a group of residents organising against a gentrification process in which we are pushed out "
            "to make room for people with money. Hjällbo was politically neglected for years; when the politicians "
            "rediscovered it, they saw more potential in the land than in the people.\n\n"
            "Through one-to-one meetings in the stairwells we found each other, and forty households now meet "
            "every month."
        ),
        "why_it_matters": "For the first time the people who live here are the ones who are listened to.",
        "orgs": ["tillsammans-hjallbo", "digidem-lab"],
        "countries": ["SE"],
        "themes": ["housing", "democracy-participation"],
        "dimensions": ["consciousness-raising", "power-building"],
        "language": "sv",
        "consent": ("Samira Haddad", Consent.IdentityLevel.FIRST_NAME, True, True, True),
        "visibility": EvidenceRecord.Visibility.PUBLIC,
        "featured": True,
    },
    {
        "title": "From the training in Bergsjön to leading a parents' group",
        "summary": "A participant of the training programme now leads the parents' group at the local school.",
        "body": (
            "After the workshops on relational meetings I started to talk with other parents at the school gate. "
            "We are now twelve parents who meet the head teacher every term."
        ),
        "why_it_matters": "I learned that my experience counts as knowledge.",
        "orgs": ["navet-i-bergsjon", "digidem-lab"],
        "countries": ["SE"],
        "themes": ["education", "youth"],
        "dimensions": ["leadership-development", "collective-learning"],
        "language": "sv",
        "consent": ("Malin", Consent.IdentityLevel.PSEUDONYM, True, True, False),
        "visibility": EvidenceRecord.Visibility.FUNDERS,
        "featured": True,
    },
    {
        "title": "Organisers from Gothenburg and London learn together",
        "summary": "An exchange visit built trust between organisers in Sweden and England.",
        "body": "Two days of shared case studies showed that the same methods work in Tynnered and in Tower Hamlets.",
        "why_it_matters": "We are not alone: there is a European movement of people doing this work.",
        "orgs": ["agera-goteborg", "community-organisers"],
        "countries": ["SE", "GB"],
        "themes": ["cost-of-living"],
        "dimensions": ["relationship-trust", "collective-learning"],
        "language": "en",
        "consent": ("Anonymous participant", Consent.IdentityLevel.ANONYMOUS, True, True, True),
        "visibility": EvidenceRecord.Visibility.PUBLIC,
        "featured": False,
    },
]

OUTCOMES = [
    {
        "title": "Housing company repairs 120 flats after tenants' campaign",
        "summary": "The housing company agreed to a repair plan negotiated by the tenants' group.",
        "outcome_who": "The municipal housing company in Hjällbo",
        "outcome_what": "Agreed a repair plan for 120 flats and a quarterly meeting with the tenants' group.",
        "outcome_when": "Spring 2025",
        "outcome_where": "Hjällbo, Göteborg",
        "significance": "The first time the company negotiated with residents rather than informing them.",
        "contribution": "The training programme gave the organisers the tools for a power analysis and actions.",
        "orgs": ["tillsammans-hjallbo"],
        "countries": ["SE"],
        "themes": ["housing"],
        "types": ["campaign-win", "institutional-practice"],
        "level": EvidenceRecord.Level.INSTITUTION,
    },
    {
        "title": "Hellendoorn puts residents' ideas on the council agenda",
        "summary": "The municipality's learning community brought residents' proposals to the council.",
        "outcome_who": "Gemeente Hellendoorn",
        "outcome_what": "Adopted a procedure to discuss residents' proposals in the council every quarter.",
        "outcome_when": "2025",
        "outcome_where": "Hellendoorn, the Netherlands",
        "significance": "Co-production becomes the normal way of making policy.",
        "contribution": "The exchange with Swedish organisers inspired the format of the neighbourhood meetings.",
        "orgs": ["gemeente-hellendoorn"],
        "countries": ["NL", "SE"],
        "themes": ["democracy-participation"],
        "types": ["policy-change", "agenda-setting"],
        "level": EvidenceRecord.Level.INSTITUTION,
    },
]


def _user(email: str):
    return get_user_model().objects.filter(email=email).first()


def _organisations() -> dict[str, Organisation]:
    result = {}
    for slug, name, country, city, kind in ORGANISATIONS:
        org, _created = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "country": country, "city": city, "kind": kind}
        )
        result[slug] = org
    return result


def _record(*, title: str, defaults: dict, orgs, countries, themes=(), dimensions=(), types=(), exchange=None):
    record, created = EvidenceRecord.objects.get_or_create(title=title, defaults=defaults)
    if not created:
        return record, False
    record.organisations.set(orgs)
    RecordCountry.objects.bulk_create([RecordCountry(record=record, country=c) for c in countries])
    record.themes.set(Theme.objects.filter(slug__in=themes))
    record.dimensions.set(ProcessDimension.objects.filter(slug__in=dimensions))
    record.outcome_types.set(OutcomeType.objects.filter(slug__in=types))
    if exchange is not None:
        record.exchanges.add(exchange)
    Revision.objects.create(record=record, user=defaults.get("created_by"), action="seed", changes={})
    return record, True


def seed_demo(*, stdout) -> None:
    orgs = _organisations()
    organiser = _user("organiser@example.org")
    coordinator = _user("coordinator@example.org")
    if organiser is not None:
        Membership.objects.get_or_create(member=organiser.member, organisation=orgs["digidem-lab"])
    exchange = None
    try:
        from exchanges.models import Exchange

        exchange = Exchange.objects.order_by("starts_at").first()
    except Exception:  # noqa: BLE001 — the exchanges app may not have data yet; links are optional.
        exchange = None
    now = timezone.now()
    created = 0
    for i, s in enumerate(STORIES):
        record, new = _record(
            title=s["title"],
            defaults={
                "kind": EvidenceRecord.Kind.STORY,
                "layer": EvidenceRecord.Layer.PROCESS,
                "summary": s["summary"],
                "body": s["body"],
                "why_it_matters": s["why_it_matters"],
                "status": EvidenceRecord.Status.PUBLISHED,
                "visibility": s["visibility"],
                "verification": EvidenceRecord.Verification.PEER_REVIEWED,
                "original_language": s["language"],
                "published_at": now - datetime.timedelta(days=30 * (i + 1)),
                "period_start": QUARTERS[i + 2][0],
                "period_end": QUARTERS[i + 2][1],
                "featured": s["featured"],
                "created_by": organiser,
                "reviewed_by": coordinator,
                "level_of_change": EvidenceRecord.Level.INDIVIDUAL,
                "expectedness": EvidenceRecord.Expectedness.EXPECTED,
            },
            orgs=[orgs[o] for o in s["orgs"]],
            countries=s["countries"],
            themes=s["themes"],
            dimensions=s["dimensions"],
            exchange=exchange if i == 2 else None,
        )
        if new:
            name, level, network, funders, public = s["consent"]
            Consent.objects.create(
                record=record,
                person_name=name,
                identity_level=level,
                pseudonym=name if level == Consent.IdentityLevel.PSEUDONYM else "",
                audience_network=network,
                audience_funders=funders,
                audience_public=public,
                obtained_on=QUARTERS[i + 2][0],
                obtained_by=organiser,
                method=Consent.Method.WRITTEN,
            )
            created += 1
    for i, o in enumerate(OUTCOMES):
        _record_obj, new = _record(
            title=o["title"],
            defaults={
                "kind": EvidenceRecord.Kind.OUTCOME,
                "layer": EvidenceRecord.Layer.BOTH,
                "summary": o["summary"],
                "outcome_who": o["outcome_who"],
                "outcome_what": o["outcome_what"],
                "outcome_when": o["outcome_when"],
                "outcome_where": o["outcome_where"],
                "significance": o["significance"],
                "contribution": o["contribution"],
                "status": EvidenceRecord.Status.PUBLISHED,
                "visibility": EvidenceRecord.Visibility.PUBLIC,
                "level_of_change": o["level"],
                "verification": EvidenceRecord.Verification.SUBSTANTIATED,
                "original_language": "en",
                "published_at": now - datetime.timedelta(days=20 * (i + 1)),
                "created_by": organiser,
                "period_start": QUARTERS[4][0],
                "period_end": QUARTERS[5][1],
                "expectedness": EvidenceRecord.Expectedness.UNEXPECTED if i else EvidenceRecord.Expectedness.EXPECTED,
            },
            orgs=[orgs[x] for x in o["orgs"]],
            countries=o["countries"],
            themes=o["themes"],
            types=o["types"],
            exchange=exchange,
        )
        created += int(new)
    created += _seed_metrics(orgs, organiser, now)
    _seed_assessment(orgs, coordinator)
    stdout.write(f"evidence: {created} records added")


def _seed_metrics(orgs, organiser, now) -> int:
    created = 0
    rng = random.Random(2022)  # noqa: S311 — demo figures, not security.
    indicators = {i.slug: i for i in Indicator.objects.all()}
    for slug in ("navet-i-bergsjon", "tillsammans-hjallbo", "agera-goteborg"):
        org = orgs[slug]
        for q, (start, end) in enumerate(QUARTERS):
            record, new = _record(
                title=f"{org.name}: figures {start.year} Q{(start.month - 1) // 3 + 1}",
                defaults={
                    "kind": EvidenceRecord.Kind.METRIC,
                    "layer": EvidenceRecord.Layer.BOTH,
                    "summary": "Quarterly figures of the training programme Community Organising för lokalt ledarskap.",
                    "status": EvidenceRecord.Status.PUBLISHED,
                    "visibility": EvidenceRecord.Visibility.FUNDERS,
                    "verification": EvidenceRecord.Verification.SELF_REPORTED,
                    "original_language": "sv",
                    "published_at": now - datetime.timedelta(days=90 * (6 - q)),
                    "created_by": organiser,
                    "period_start": start,
                    "period_end": end,
                },
                orgs=[org],
                countries=["SE"],
                themes=["democracy-participation"],
                dimensions=["relationship-trust", "leadership-development"],
            )
            if not new:
                continue
            created += 1
            for indicator_slug, base in (
                ("one-to-ones", 30),
                ("new-people-engaged", 12),
                ("leadership-roles", 3),
                ("trainings-held", 2),
            ):
                indicator = indicators[indicator_slug]
                value = base + q * base // 4 + rng.randint(0, base // 2)
                update = MetricUpdate.objects.create(
                    record=record,
                    indicator=indicator,
                    organisation=org,
                    period_start=start,
                    period_end=end,
                    value=Decimal(value),
                )
                if indicator.split_categories:
                    parts = _split(value, len(indicator.split_categories), rng)
                    MetricSplit.objects.bulk_create(
                        [
                            MetricSplit(update=update, category=c, value=Decimal(p))
                            for c, p in zip(indicator.split_categories, parts, strict=True)
                        ]
                    )
                Target.objects.get_or_create(
                    indicator=indicator,
                    organisation=org,
                    period_start=start,
                    defaults={"period_end": end, "value": Decimal(base + q * base // 4 + base // 4)},
                )
    return created


def _split(total: int, n: int, rng) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _i in range(n - 1))
    edges = [0, *cuts, total]
    return [edges[i + 1] - edges[i] for i in range(n)]


def _seed_assessment(orgs, coordinator) -> None:
    framework = Framework.objects.filter(slug="learning-community").first()
    if framework is None:
        return
    community, _created = Community.objects.get_or_create(
        slug="hellendoorn", defaults={"name": "Hellendoorn learning community"}
    )
    community.organisations.add(orgs["gemeente-hellendoorn"])
    today = timezone.localdate()
    rounds = [
        ("Hellendoorn: baseline", today - datetime.timedelta(days=220), today - datetime.timedelta(days=190), 0),
        ("Hellendoorn: one year on", today - datetime.timedelta(days=10), today + datetime.timedelta(days=20), 1),
    ]
    questions = list(Question.objects.filter(dimension__framework=framework))
    User = get_user_model()
    rng = random.Random(2023)  # noqa: S311 — demo answers.
    for title, opens, closes, uplift in rounds:
        round_obj, created = Round.objects.get_or_create(
            title=title,
            community=community,
            defaults={"framework": framework, "opens_on": opens, "closes_on": closes, "opened_by": coordinator},
        )
        if not created:
            continue
        # The respondents are members of the network (devtools/seed/network.py gives them their
        # profiles); on their own, the evidence seed makes bare accounts under the same names.
        for group, name, local, *_rest in HELLENDOORN_RESPONDENTS:
            email = f"{local}@example.org"
            user = User.objects.filter(email=email).first()
            if user is None:
                first_name, _space, last_name = name.partition(" ")
                user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
                user.set_unusable_password()
                user.save(update_fields=["password"])
            round_obj.invited.add(user)
            response = Response.objects.create(round=round_obj, respondent=user, group=group)
            Answer.objects.bulk_create(
                [
                    Answer(response=response, question=q, score=max(1, min(5, 2 + uplift + rng.randint(-1, 1))))
                    for q in questions
                ]
            )


# --- bench ------------------------------------------------------------------------------------


def bench_arguments(parser) -> None:
    parser.add_argument("--evidence-records", type=int, default=50_000)
    parser.add_argument("--metric-updates", type=int, default=200_000)


BENCH_PREFIX = "Bench evidence"


def seed_bench(*, options, stdout) -> None:
    """50,000 records (with countries, themes, dimensions, consents) and 200,000 metric updates,
    all through bulk_create in batches."""
    n_records = options.get("evidence_records", 50_000)
    n_updates = options.get("metric_updates", 200_000)
    if EvidenceRecord.objects.filter(title__startswith=BENCH_PREFIX).exists():
        stdout.write("evidence: bench data already present")
        return
    rng = random.Random(42)  # noqa: S311 — synthetic data.
    org_ids = list(Organisation.objects.values_list("pk", flat=True)[:500])
    if not org_ids:
        Organisation.objects.bulk_create(
            [Organisation(name=f"Bench organisation {i}", slug=f"bench-org-{i}", country="SE") for i in range(50)]
        )
        org_ids = list(Organisation.objects.values_list("pk", flat=True)[:500])
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    dim_ids = list(ProcessDimension.objects.values_list("pk", flat=True))
    type_ids = list(OutcomeType.objects.values_list("pk", flat=True))
    indicator_ids = list(Indicator.objects.values_list("pk", flat=True))
    country_codes = ["SE", "NL", "GB", "DE", "FR", "BE", "DK", "PL", "ES", "IT", "IE", "PT"]
    kinds = [k for k, _l in EvidenceRecord.Kind.choices]
    now = timezone.now()
    batch = 5000
    with transaction.atomic():
        records = []
        for i in range(n_records):
            published = now - datetime.timedelta(days=rng.randint(0, 900))
            start = published.date() - datetime.timedelta(days=rng.randint(30, 200))
            records.append(
                EvidenceRecord(
                    title=f"{BENCH_PREFIX} {i}",
                    summary="Synthetic record for benchmarks.",
                    body="Body text.",
                    kind=kinds[i % len(kinds)],
                    layer=rng.choice(["process", "outcome", "both"]),
                    status="published" if i % 10 else rng.choice(["draft", "submitted", "in_review"]),
                    visibility=rng.choice(["network", "funders", "public"]),
                    verification=rng.choice(["self_reported", "peer_reviewed", "substantiated", "evaluated"]),
                    published_at=published,
                    period_start=start,
                    period_end=start + datetime.timedelta(days=90),
                )
            )
        EvidenceRecord.objects.bulk_create(records, batch_size=batch)
        ids = list(
            EvidenceRecord.objects.filter(title__startswith=BENCH_PREFIX).order_by("pk").values_list("pk", "kind")
        )
        through_org = EvidenceRecord.organisations.through
        through_theme = EvidenceRecord.themes.through
        through_dim = EvidenceRecord.dimensions.through
        through_type = EvidenceRecord.outcome_types.through
        orgs_rows, theme_rows, dim_rows, type_rows, country_rows, consents = [], [], [], [], [], []
        for pk, kind in ids:
            orgs_rows.append(through_org(evidencerecord_id=pk, organisation_id=rng.choice(org_ids)))
            if theme_ids:
                theme_rows.append(through_theme(evidencerecord_id=pk, theme_id=rng.choice(theme_ids)))
            dim_rows.append(through_dim(evidencerecord_id=pk, processdimension_id=rng.choice(dim_ids)))
            if pk % 2:
                type_rows.append(through_type(evidencerecord_id=pk, outcometype_id=rng.choice(type_ids)))
            for code in rng.sample(country_codes, 1 + (pk % 5 == 0)):
                country_rows.append(RecordCountry(record_id=pk, country=code))
            if kind in ("story", "testimony", "media"):
                consents.append(
                    Consent(
                        record_id=pk,
                        person_name="Bench Person",
                        identity_level="first_name",
                        audience_network=True,
                        audience_funders=rng.random() < 0.8,
                        audience_public=rng.random() < 0.5,
                        obtained_on=datetime.date(2024, 1, 1),
                        method="written",
                        withdrawn_at=now if rng.random() < 0.03 else None,
                    )
                )
        for model, rows in (
            (through_org, orgs_rows),
            (through_theme, theme_rows),
            (through_dim, dim_rows),
            (through_type, type_rows),
            (RecordCountry, country_rows),
            (Consent, consents),
        ):
            model.objects.bulk_create(rows, batch_size=batch)
        metric_ids = [pk for pk, kind in ids if kind == "metric"] or [pk for pk, _k in ids]
        updates = []
        for i in range(n_updates):
            quarter = QUARTERS[i % len(QUARTERS)]
            updates.append(
                MetricUpdate(
                    record_id=metric_ids[i % len(metric_ids)],
                    indicator_id=rng.choice(indicator_ids),
                    organisation_id=rng.choice(org_ids),
                    period_start=quarter[0],
                    period_end=quarter[1],
                    value=Decimal(rng.randint(0, 200)),
                )
            )
            if len(updates) >= batch:
                MetricUpdate.objects.bulk_create(updates)
                updates = []
        MetricUpdate.objects.bulk_create(updates)
        targets = [
            Target(indicator_id=ind, organisation_id=org, period_start=q[0], period_end=q[1], value=Decimal(500))
            for ind in indicator_ids
            for org in org_ids[:20]
            for q in QUARTERS
        ]
        Target.objects.bulk_create(targets, batch_size=batch, ignore_conflicts=True)
    # Fresh planner statistics after bulk inserts, or the first benchmarks run on guesses.
    with connection.cursor() as cursor:
        for model in (
            EvidenceRecord,
            through_org,
            through_theme,
            through_dim,
            through_type,
            RecordCountry,
            Consent,
            MetricUpdate,
            Target,
        ):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    cache.changed("evidence")
    stdout.write(f"evidence: {n_records} records and {n_updates} metric updates added")
