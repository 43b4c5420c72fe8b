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
from devtools.seed.copy import copy_rows
from devtools.seed.network import HELLENDOORN_RESPONDENTS
from devtools.seed.scaling import scaled
from evidence.models import (
    CONSENT_KINDS,
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
    ("buurtkracht-nijverdal", "Buurtkracht Nijverdal", "NL", "Nijverdal", Organisation.Kind.GRASSROOTS),
]


def _quarters_before(today: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """The ``count`` calendar quarters that ended before ``today``'s quarter, oldest first."""
    start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarters = []
    for _ in range(count):
        end = start - datetime.timedelta(days=1)
        start = datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        quarters.append((start, end))
    return quarters[::-1]


# Six quarters of figures, the last of them the quarter before this one: the dashboard's "last
# twelve months" and the period before it both hold demo records, whenever the demo is seeded.
QUARTERS = _quarters_before(datetime.date.today(), 6)

STORIES = [
    {
        "title": "Boende i Hjällbo vägrar att flytta",
        "former_title": "Hjällbo residents refuse to be moved out",
        "summary": "En grupp hyresgäster organiserade sig mot en gentrifiering som skulle ha trängt bort dem.",
        "body": (
            "Vi är en grupp boende som organiserar oss mot en gentrifieringsprocess där vi trängs undan för att ge "
            "plats åt människor med pengar. Hjällbo var politiskt bortglömt i många år; när politikerna upptäckte "
            "området igen såg de större möjligheter i marken än i människorna.\n\n"
            "Genom enskilda samtal i trapphusen hittade vi varandra, och nu träffas fyrtio hushåll varje månad."
        ),
        "why_it_matters": "För första gången är det vi som bor här som blir lyssnade på.",
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
        "title": "Från utbildningen i Bergsjön till att leda en föräldragrupp",
        "former_title": "From the training in Bergsjön to leading a parents' group",
        "summary": "En deltagare i utbildningsprogrammet leder nu föräldragruppen på den lokala skolan.",
        "body": (
            "Efter workshopparna om relationella samtal började jag prata med andra föräldrar vid skolgrinden. "
            "Nu är vi tolv föräldrar som träffar rektorn varje termin."
        ),
        "why_it_matters": "Jag lärde mig att min erfarenhet räknas som kunskap.",
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
    {
        "title": "Van koffieochtend naar buurtrestaurant in Nijverdal",
        "summary": (
            "Een koffieochtend in het buurthuis groeide uit tot een wekelijks buurtrestaurant van bewoners zelf."
        ),
        "body": (
            "Twee jaar geleden zaten we met zes mensen aan de koffie in het buurthuis. We vroegen elkaar wat ons "
            "dwarszat: eenzaamheid, dure boodschappen, niemand in de straat die je nog kent.\n\n"
            "Uit die gesprekken kwam het idee voor een buurtrestaurant. Nu koken vrijwilligers elke donderdag voor "
            "veertig buren, voor een prijs die iedereen kan betalen. De gemeente zorgt voor de ruimte en een "
            "supermarkt in het dorp levert de boodschappen met korting."
        ),
        "why_it_matters": "Mensen die eerst alleen thuis zaten, staan nu zelf in de keuken.",
        "orgs": ["buurtkracht-nijverdal", "gemeente-hellendoorn"],
        "countries": ["NL"],
        "themes": ["health", "local-economy"],
        "dimensions": ["relationship-trust", "inclusion"],
        "language": "nl",
        "consent": ("Ilse", Consent.IdentityLevel.FIRST_NAME, True, True, True),
        "visibility": EvidenceRecord.Visibility.PUBLIC,
        "featured": False,
    },
]

OUTCOMES = [
    {
        "title": "Bostadsbolaget rustar upp 120 lägenheter efter hyresgästernas kampanj",
        "former_title": "Housing company repairs 120 flats after tenants' campaign",
        "summary": "Bostadsbolaget gick med på en upprustningsplan som hyresgästgruppen förhandlat fram.",
        "outcome_who": "Det kommunala bostadsbolaget i Hjällbo",
        "outcome_what": (
            "Kom överens om en plan för att rusta upp 120 lägenheter och om ett möte med hyresgästgruppen "
            "varje kvartal."
        ),
        "outcome_when": "Våren 2025",
        "outcome_where": "Hjällbo, Göteborg",
        "significance": "Första gången bolaget förhandlade med de boende i stället för att bara informera dem.",
        "contribution": "Utbildningsprogrammet gav organisatörerna verktyg för maktanalys och aktioner.",
        "language": "sv",
        "orgs": ["tillsammans-hjallbo"],
        "countries": ["SE"],
        "themes": ["housing"],
        "types": ["campaign-win", "institutional-practice"],
        "level": EvidenceRecord.Level.INSTITUTION,
    },
    {
        "title": "Hellendoorn zet ideeën van inwoners op de agenda van de raad",
        "former_title": "Hellendoorn puts residents' ideas on the council agenda",
        "summary": "De lerende gemeenschap van de gemeente bracht voorstellen van inwoners naar de gemeenteraad.",
        "outcome_who": "Gemeente Hellendoorn",
        "outcome_what": "Stelde een werkwijze vast waarmee de raad elk kwartaal voorstellen van inwoners bespreekt.",
        "outcome_when": "2025",
        "outcome_where": "Hellendoorn, Nederland",
        "significance": "Coproductie wordt de gewone manier om beleid te maken.",
        "contribution": "De uitwisseling met Zweedse organisers inspireerde de opzet van de buurtbijeenkomsten.",
        "language": "nl",
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


# The fields in which a record is written (in its original language).
TEXT_FIELDS = (
    "summary",
    "body",
    "why_it_matters",
    "outcome_who",
    "outcome_what",
    "outcome_when",
    "outcome_where",
    "significance",
    "contribution",
    "original_language",
)


def _record(
    *,
    title: str,
    defaults: dict,
    orgs,
    countries,
    themes=(),
    dimensions=(),
    types=(),
    exchange=None,
    former_title: str = "",
):
    """The record called ``title``, created with ``defaults`` if absent. Earlier demos wrote the
    Swedish and Dutch records in English under ``former_title``: such a record is rewritten in its
    language rather than doubled."""
    if former_title and not EvidenceRecord.objects.filter(title=title).exists():
        former = EvidenceRecord.objects.filter(title=former_title).first()
        if former is not None:
            former.title = title
            for field in TEXT_FIELDS:
                if field in defaults:
                    setattr(former, field, defaults[field])
            former.save()
            return former, False
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
            former_title=s.get("former_title", ""),
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
            former_title=o["former_title"],
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
                "original_language": o["language"],
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
            quarter = (start.month - 1) // 3 + 1
            record, new = _record(
                title=f"{org.name}: siffror {start.year} kvartal {quarter}",
                former_title=f"{org.name}: figures {start.year} Q{quarter}",
                defaults={
                    "kind": EvidenceRecord.Kind.METRIC,
                    "layer": EvidenceRecord.Layer.BOTH,
                    "summary": (
                        "Kvartalets siffror från utbildningsprogrammet Community Organising för lokalt ledarskap."
                    ),
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
    # The community's own (Dutch) name; the learning community is also an organisation.
    community, _created = Community.objects.update_or_create(
        slug="hellendoorn", defaults={"name": "Lerende Gemeenschap Hellendoorn"}
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
    streamed with COPY (devtools/seed/copy.py)."""
    n_records = options.get("evidence_records", 50_000)
    n_updates = options.get("metric_updates", 200_000)
    if EvidenceRecord.objects.filter(title__startswith=BENCH_PREFIX).exists():
        stdout.write("evidence: bench data already present")
        return
    rng = random.Random(42)  # noqa: S311 — synthetic data.
    # 500 organisations per scale step report evidence, so that each one's records stay as many.
    org_limit = scaled(options, 500)
    org_ids = list(Organisation.objects.values_list("pk", flat=True)[:org_limit])
    if not org_ids:
        Organisation.objects.bulk_create(
            [Organisation(name=f"Bench organisation {i}", slug=f"bench-org-{i}", country="SE") for i in range(50)]
        )
        org_ids = list(Organisation.objects.values_list("pk", flat=True)[:org_limit])
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    dim_ids = list(ProcessDimension.objects.values_list("pk", flat=True))
    type_ids = list(OutcomeType.objects.values_list("pk", flat=True))
    indicator_ids = list(Indicator.objects.values_list("pk", flat=True))
    country_codes = ["SE", "NL", "GB", "DE", "FR", "BE", "DK", "PL", "ES", "IT", "IE", "PT"]
    kinds = [k for k, _l in EvidenceRecord.Kind.choices]
    now = timezone.now()
    record_fields = [
        "title",
        "summary",
        "body",
        "kind",
        "layer",
        "status",
        "visibility",
        "verification",
        "published_at",
        "period_start",
        "period_end",
    ]

    def record_rows():
        for i in range(n_records):
            published = now - datetime.timedelta(days=rng.randint(0, 900))
            start = published.date() - datetime.timedelta(days=rng.randint(30, 200))
            yield (
                f"{BENCH_PREFIX} {i}",
                "Synthetic record for benchmarks.",
                "Body text.",
                kinds[i % len(kinds)],
                rng.choice(["process", "outcome", "both"]),
                "published" if i % 10 else rng.choice(["draft", "submitted", "in_review"]),
                rng.choice(["network", "funders", "public"]),
                rng.choice(["self_reported", "peer_reviewed", "substantiated", "evaluated"]),
                published,
                start,
                start + datetime.timedelta(days=90),
            )

    through_org = EvidenceRecord.organisations.through
    through_theme = EvidenceRecord.themes.through
    through_dim = EvidenceRecord.dimensions.through
    through_type = EvidenceRecord.outcome_types.through
    with transaction.atomic():
        # COPY (devtools/seed/copy.py): ten times the default is 500,000 records.
        copy_rows(EvidenceRecord, record_fields, record_rows())
        ids = list(
            EvidenceRecord.objects.filter(title__startswith=BENCH_PREFIX).order_by("pk").values_list("pk", "kind")
        )
        consent_fields = [
            "record_id",
            "person_name",
            "identity_level",
            "audience_network",
            "audience_funders",
            "audience_public",
            "obtained_on",
            "method",
            "withdrawn_at",
        ]
        obtained = datetime.date(2024, 1, 1)
        # In chunks of 50,000 records, to hold no more than that many rows of each at once. The
        # random draws come in the order the per-row loop always made them (the same data).
        for chunk in range(0, len(ids), 50_000):
            org_rows, theme_rows, dim_rows, type_rows, country_rows, consents = [], [], [], [], [], []
            for pk, kind in ids[chunk : chunk + 50_000]:
                org_rows.append((pk, rng.choice(org_ids)))
                if theme_ids:
                    theme_rows.append((pk, rng.choice(theme_ids)))
                dim_rows.append((pk, rng.choice(dim_ids)))
                if pk % 2:
                    type_rows.append((pk, rng.choice(type_ids)))
                for code in rng.sample(country_codes, 1 + (pk % 5 == 0)):
                    country_rows.append((pk, code))
                if kind in CONSENT_KINDS:
                    funders = rng.random() < 0.8
                    public = rng.random() < 0.5
                    withdrawn = now if rng.random() < 0.03 else None
                    consents.append(
                        (pk, "Bench Person", "first_name", True, funders, public, obtained, "written", withdrawn)
                    )
            copy_rows(through_org, ["evidencerecord_id", "organisation_id"], org_rows)
            copy_rows(through_theme, ["evidencerecord_id", "theme_id"], theme_rows)
            copy_rows(through_dim, ["evidencerecord_id", "processdimension_id"], dim_rows)
            copy_rows(through_type, ["evidencerecord_id", "outcometype_id"], type_rows)
            copy_rows(RecordCountry, ["record_id", "country"], country_rows)
            copy_rows(Consent, consent_fields, consents)
        metric_ids = [pk for pk, kind in ids if kind == "metric"] or [pk for pk, _k in ids]

        def update_rows():
            for i in range(n_updates):
                quarter = QUARTERS[i % len(QUARTERS)]
                record_id = metric_ids[i % len(metric_ids)]
                indicator_id = rng.choice(indicator_ids)
                organisation_id = rng.choice(org_ids)
                yield (record_id, indicator_id, organisation_id, quarter[0], quarter[1], Decimal(rng.randint(0, 200)))

        copy_rows(
            MetricUpdate,
            ["record_id", "indicator_id", "organisation_id", "period_start", "period_end", "value"],
            update_rows(),
        )
        targets = [
            Target(indicator_id=ind, organisation_id=org, period_start=q[0], period_end=q[1], value=Decimal(500))
            for ind in indicator_ids
            for org in org_ids[: scaled(options, 20)]
            for q in QUARTERS
        ]
        Target.objects.bulk_create(targets, batch_size=5000, ignore_conflicts=True)
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
    # Bulk inserts send no model signals: the dashboard's rollups are computed once, here.
    from evidence import rollups

    rollups.rebuild()
    cache.changed("evidence")
    stdout.write(f"evidence: {n_records} records and {n_updates} metric updates added")
