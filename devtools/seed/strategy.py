"""Demo strategy: "Sustaining the Learning Lab 2027–2030", written from the founding text
(a co-developed strategy "which sets out how the network will be sustained, including through
creating ongoing learning and development opportunities … used to attract further investment").

Version 1 was published in the spring; a first consultation on its successor closed with one
amendment accepted and one declined, and version 2 was published from it (so there is a diff
and a synthesis). Version 3 is a draft with a consultation open now: comments and amendments
from demo members in Swedish, Dutch and English. Idempotent: nothing is written when the
document exists. Emails the decisions cause go through the outbox like any other (the seed
command keeps them from printing).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from devtools.seed.scaling import scale_of
from exchanges.models import Exchange
from network.models import Organisation, Theme, User
from strategy import services
from strategy.models import Commitment, Document, Objective, Section

SLUG = "sustaining-the-learning-lab"

SECTIONS = [
    ("vision", "Vision", "Vision", "Visie"),
    ("sustained", "How the network is sustained", "Hur nätverket hålls vid liv", "Hoe het netwerk blijft bestaan"),
    (
        "learning",
        "Ongoing learning and development opportunities",
        "Fortlöpande lärande och utveckling",
        "Doorlopend leren en ontwikkelen",
    ),
    ("resourcing", "Resourcing and investment", "Resurser och investeringar", "Middelen en investeringen"),
    ("governance", "Governance", "Styrning", "Bestuur"),
]

V1 = {
    "en": (
        "Sustaining the Learning Lab 2027–2030",
        "How the European network of community organisers keeps learning together after the pilot.",
        {
            "vision": "Organisers across Europe learn from each other, act together on shared issues "
            "and build the power of their communities.",
            "sustained": "The network is held by its members. Community Organisers and the European "
            "Community Organisers Network host it for the first two years.",
            "learning": "Online learning exchanges every month, and two in-person exchanges a year "
            "between organisers visiting each other.",
            "resourcing": "We seek three-year funding from two or three foundations.",
            "governance": "A steering group of five members meets four times a year.",
        },
    ),
    "sv": (
        "Att hålla Learning Lab vid liv 2027–2030",
        "Hur det europeiska nätverket av organisatörer fortsätter att lära tillsammans efter piloten.",
        {
            "vision": "Organisatörer i hela Europa lär av varandra, agerar tillsammans i gemensamma frågor "
            "och bygger makt i sina grannskap.",
            "sustained": "Nätverket bärs av sina medlemmar. Community Organisers och European Community "
            "Organisers Network är värdar de två första åren.",
            "learning": "Digitala lärandeutbyten varje månad och två fysiska utbyten om året där organisatörer "
            "besöker varandra.",
            "resourcing": "Vi söker treårig finansiering från två eller tre stiftelser.",
            "governance": "En styrgrupp med fem medlemmar möts fyra gånger om året.",
        },
    ),
    "nl": (
        "De Learning Lab in stand houden 2027–2030",
        "Hoe het Europese netwerk van community organisers na de pilot samen blijft leren.",
        {
            "vision": "Organisers in heel Europa leren van elkaar, komen samen in actie rond gedeelde "
            "vraagstukken en bouwen aan de kracht van hun buurten.",
            "sustained": "Het netwerk wordt gedragen door zijn leden. Community Organisers en het European "
            "Community Organisers Network zijn de eerste twee jaar gastheer.",
            "learning": "Elke maand online leeruitwisselingen en twee fysieke uitwisselingen per jaar "
            "waarbij organisers elkaar bezoeken.",
            "resourcing": "We zoeken driejarige financiering bij twee of drie fondsen.",
            "governance": "Een stuurgroep van vijf leden komt vier keer per jaar samen.",
        },
    ),
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).select_related("member").first()


def _people() -> dict[str, User]:
    """Demo members by short name; the network seed's members where it ran, else the
    role accounts every seed makes."""
    fallback = _user("organiser@example.org")
    wanted = {
        "sara": "sara.lindqvist@example.org",
        "hodan": "hodan.ali@example.org",
        "lotte": "lotte.devries@example.org",
        "olivia": "olivia.grant@example.org",
        "daniel": "daniel.okafor@example.org",
        "rhiannon": "rhiannon.price@example.org",
        "funder": "funder@example.org",
        "organiser": "organiser@example.org",
    }
    return {key: _user(email) or fallback for key, email in wanted.items()}


def _comment(consultation, section, user, body, language, now, parent=None):
    return services.comment_create(
        consultation=consultation,
        section=section,
        author=user,
        body=body,
        language=language,
        submission=uuid.uuid4(),
        parent=parent,
        now=now,
    )


def _amend(consultation, section, user, text, why, language, now):
    return services.amendment_create(
        consultation=consultation,
        section=section,
        proposer=user,
        text=text,
        explanation=why,
        language=language,
        submission=uuid.uuid4(),
        now=now,
    )


def seed_demo(*, stdout) -> None:
    _seed_strategy()
    _seed_commitments()
    _seed_group_led_actions()


def _seed_group_led_actions() -> None:
    """Two joint actions proposed by members (group-led, ``practice.services.joint_action_propose``):
    one published with an accepted partner, one waiting for review with an invitation the demo
    organiser (an administrator of Tillsammans Hjällbo) can answer."""
    from practice import services as practice_services
    from practice.models import JointAction, PartnerInvitation

    if JointAction.objects.filter(
        slug__in=["digital-help-desks-in-every-neighbourhood", "insulation-before-winter-london-and-goteborg"]
    ).exists():
        return
    coordinator = _user("coordinator@example.org")
    organiser = _user("organiser@example.org")
    olivia = _user("olivia.grant@example.org")
    hjallbo = Organisation.objects.filter(name="Tillsammans Hjällbo").first()
    digidem = Organisation.objects.filter(name="Digidem Lab").first()
    community = Organisation.objects.filter(name="Community Organisers").first()
    if not all((coordinator, organiser, hjallbo, digidem)):
        return
    published = practice_services.joint_action_propose(
        user=organiser,
        organisation=hjallbo,
        role="lead",
        title="Digital help desks in every neighbourhood",
        issue=Theme.objects.get(slug="digital-divide"),
        countries=["SE"],
        summary="Volontärer i Hjällbo och Bergsjön hjälper grannar med bank-id, e-tjänster och skolplattformen.",
        description="Varje vecka öppnar vi en hjälpdisk i biblioteket. Digidem Lab utbildar volontärerna.",
        language="sv",
        partners=[digidem],
    )
    invitation = PartnerInvitation.objects.get(joint_action=published, organisation=digidem)
    practice_services.partner_invitation_accept(invitation=invitation, user=coordinator)
    practice_services.joint_action_publish(action=published, user=coordinator)
    if olivia is not None and community is not None and community.pk in _approved(olivia):
        practice_services.joint_action_propose(
            user=olivia,
            organisation=community,
            role="lead",
            title="Insulation before winter: London and Göteborg",
            issue=Theme.objects.get(slug="cost-of-living"),
            countries=["GB", "SE"],
            summary="Tenants in London and Göteborg push their landlords for insulation before winter, together.",
            language="en",
            partners=[hjallbo],
        )


def _approved(user) -> set[int]:
    from core.policy import viewer_for

    return set(viewer_for(user).organisation_ids)


OBJECTIVES = [
    "Fund the process of organising (building trust and power), not only projects and campaigns.",
    "Make funding easier to reach for grassroots groups without paid staff.",
]

# (title, holders, objective index, theme, status history, due in days, visibility)
COMMITMENTS = [
    (
        "A three-year pilot of core funding for grassroots groups",
        ["national-lottery-community-fund", "community-organisers"],
        0,
        "democracy-participation",
        [("under_way", "Twelve groups chosen; the first payments went out in March.")],
        300,
        "public",
    ),
    (
        "A shared, simple application form in Swedish, English and Dutch",
        ["postkodstiftelsen", "digidem-lab"],
        1,
        "democracy-participation",
        [("under_way", "A first draft was tested with Tillsammans Hjällbo."), ("done", "The form is in use.")],
        -20,
        "public",
    ),
    (
        "Report on what organising achieves, from the evidence base",
        ["european-community-organisers-network"],
        0,
        "democracy-participation",
        [],
        -10,
        "public",
    ),
    (
        "Open budgets: funders publish what they spend on organising",
        ["postkodstiftelsen", "national-lottery-community-fund"],
        0,
        "cost-of-living",
        [("planned", "Agreed on the format at the follow-up call.")],
        120,
        "members",
    ),
    (
        "A joint fund for cross-border exchange visits",
        ["national-lottery-community-fund", "tillsammans-hjallbo"],
        1,
        "cost-of-living",
        [("dropped", "Replaced by the core funding pilot, which covers visits.")],
        60,
        "public",
    ),
]


def _seed_commitments() -> None:
    """The London funder convening's objectives and five commitments in different states."""
    convening = Exchange.objects.filter(slug="funder-convening-philanthropy-and-organising").first()
    if convening is None or convening.commitments.exists():
        return
    owner = _user("funder@example.org") or _user("coordinator@example.org")
    objectives = [
        Objective.objects.create(exchange=convening, text=text, order=order) for order, text in enumerate(OBJECTIVES)
    ]
    today = timezone.localdate()
    for title, holders, objective, theme, history, due, visibility in COMMITMENTS:
        commitment = Commitment.objects.create(
            exchange=convening,
            objective=objectives[objective],
            title=title,
            theme=Theme.objects.filter(slug=theme).first(),
            owner=owner,
            due_on=today + timedelta(days=due),
            visibility=visibility,
        )
        commitment.organisations.set(Organisation.objects.filter(slug__in=holders))
        for status, note in history:
            services.commitment_update_add(
                commitment=commitment, user=owner, status=status, note=note, submission=uuid.uuid4()
            )


def _seed_strategy() -> None:
    if Document.objects.filter(slug=SLUG).exists():
        return
    coordinator = _user("coordinator@example.org")
    people = _people()
    if coordinator is None or people["organiser"] is None:
        return
    now = timezone.now()
    document = Document.objects.create(slug=SLUG, original_language="en")
    sections = {}
    for order, (key, en, sv, nl) in enumerate(SECTIONS):
        sections[key] = Section.objects.create(
            document=document, key=key, order=order, heading_en=en, heading_sv=sv, heading_nl=nl
        )

    # Version 1, published in the spring in three languages.
    v1 = services.version_draft_create(document=document, by=coordinator)
    for language, (title, summary, texts) in V1.items():
        services.version_text_save(version=v1, language=language, title=title, summary=summary, sections=texts)
    services.version_publish(version=v1, note="First version, from the pilot's lessons.", now=now - timedelta(days=150))

    # A first consultation on version 2: one amendment accepted, one declined.
    v2 = services.version_draft_create(document=document, by=coordinator)
    first = services.round_open(
        version=v2,
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=90),
        questions={sections["learning"].pk: "Which learning opportunities should continue after the pilot?"},
        by=coordinator,
    )
    during = now - timedelta(days=110)
    accepted = _amend(
        first,
        sections["learning"],
        people["olivia"],
        "Online learning exchanges every month, two in-person exchanges a year between organisers visiting "
        "each other, and a yearly European Learning Exchange of three to four days.",
        "The European Learning Exchange is where solidarity across borders was built in the pilot.",
        "en",
        during,
    )
    declined = _amend(
        first,
        sections["governance"],
        people["daniel"],
        "A steering group of twelve members meets every month.",
        "More voices at the table.",
        "en",
        during,
    )
    _comment(
        first,
        sections["learning"],
        people["sara"],
        "Utbytena i Bergsjön och Hjällbo var det mest värdefulla under piloten. Fortsätt med dem!",
        "sv",
        during,
    )
    services.amendment_accept(amendment=accepted, by=coordinator, now=now - timedelta(days=89))
    services.amendment_decline(
        amendment=declined,
        by=coordinator,
        reason="Monthly meetings of twelve people would cost more than the network can raise; "
        "we will open the steering group's meetings to every member instead.",
        now=now - timedelta(days=89),
    )
    # The translations follow the accepted text.
    learning = {
        "sv": "Digitala lärandeutbyten varje månad, två fysiska utbyten om året där organisatörer besöker "
        "varandra, och ett årligt europeiskt lärandeutbyte på tre till fyra dagar.",
        "nl": "Elke maand online leeruitwisselingen, twee fysieke uitwisselingen per jaar waarbij organisers "
        "elkaar bezoeken, en een jaarlijkse Europese leeruitwisseling van drie tot vier dagen.",
    }
    for language, (title, summary, texts) in V1.items():
        if language != "en":
            services.version_text_save(
                version=v2,
                language=language,
                title=title,
                summary=summary,
                sections={**texts, "learning": learning[language]},
            )
    services.version_publish(
        version=v2,
        note="The yearly European Learning Exchange, from the first consultation.",
        now=now - timedelta(days=80),
    )

    # Version 3: a draft with the consultation open now. Its Dutch translation is left behind on
    # purpose after the resourcing section changed: the outdated flag shows.
    v3 = services.version_draft_create(document=document, by=coordinator)
    original = v3.texts.get(language="en")
    services.version_text_save(
        version=v3,
        language="en",
        title=original.title,
        summary=original.summary,
        sections={
            **original.sections,
            "resourcing": "We seek three-year funding from foundations, and show them the evidence of what "
            "organising achieves: the case for investment is built from the network's own evidence base.",
        },
    )
    sv = v3.texts.get(language="sv")
    services.version_text_save(
        version=v3,
        language="sv",
        title=sv.title,
        summary=sv.summary,
        sections={
            **sv.sections,
            "resourcing": "Vi söker treårig finansiering från stiftelser och visar dem vad organisering åstadkommer: "
            "argumenten för investeringar bygger på nätverkets egen kunskapsbank.",
        },
    )
    second = services.round_open(
        version=v3,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=25),
        questions={
            sections["sustained"].pk: "Who should hold the network once the hosts step back?",
            sections["resourcing"].pk: "How should the network be funded beyond 2030?",
        },
        by=coordinator,
    )
    comment = _comment(
        second,
        sections["sustained"],
        people["hodan"],
        "Medlemsorganisationerna borde turas om att vara värd, ett år i taget. "
        "Då delar vi både arbetet och ägarskapet.",
        "sv",
        now,
    )
    _comment(
        second,
        sections["sustained"],
        people["olivia"],
        "A rotating host is a good idea. Could the host be paid a small coordination fee from the network's funds?",
        "en",
        now,
        parent=comment,
    )
    _comment(
        second,
        sections["resourcing"],
        people["lotte"],
        "Gemeenten zoals Hellendoorn willen meebetalen als ze zien wat lerende gemeenschappen opleveren.",
        "nl",
        now,
    )
    _comment(
        second,
        sections["learning"],
        people["rhiannon"],
        "Please keep the online exchanges in the evening: many organisers have day jobs.",
        "en",
        now,
    )
    rotating = _amend(
        second,
        sections["sustained"],
        people["hodan"],
        "Nätverket bärs av sina medlemmar. Medlemsorganisationerna turas om att vara värd, ett år i taget, "
        "med stöd av Community Organisers och European Community Organisers Network.",
        "Då delar vi både arbetet och ägarskapet.",
        "sv",
        now,
    )
    _amend(
        second,
        sections["resourcing"],
        people["daniel"],
        "We seek three-year funding from foundations and local authorities, and a small membership fee "
        "from organisations that can afford it, waived for grassroots groups.",
        "Foundations alone will not last; a fee shows members own the network.",
        "en",
        now,
    )
    for supporter in ("olivia", "sara", "funder"):
        user = people[supporter]
        if user is not None and user.pk != rotating.proposer_id:
            services.amendment_support(amendment=rotating, user=user)


# --- bench ---------------------------------------------------------------------------------

BENCH_SLUG = "bench-strategy"
BENCH_SECTIONS = 12
BENCH_COMMENTS = 2000
BENCH_AMENDMENTS = 300
BENCH_COMMITMENTS = 1000
BENCH_UPDATES = 5000
BENCH_CONVENINGS = 20


def seed_bench(*, options, stdout) -> None:
    """Issue 13's volumes: a strategy of 12 sections whose draft has a closed round (what the
    synthesis reads) and an open one (what the document page shows), each with 2,000 comments
    (a fifth of them replies) and 300 amendments; and 1,000 commitments of 20 bench convenings
    with 5,000 progress updates. Bulk inserts, no emails; idempotent."""
    _bench_strategy(stdout)
    _bench_commitments(stdout, scale=scale_of(options))


def _bench_strategy(stdout) -> None:
    import random

    from core import cache
    from strategy.models import NAMESPACE, Amendment, Comment, Round, Support, Version, VersionText

    if Document.objects.filter(slug=BENCH_SLUG).exists():
        stdout.write("strategy: bench data already present.")
        return
    rng = random.Random(23)
    user_ids = list(User.objects.filter(email__endswith="@bench.example.org").values_list("pk", flat=True)[:3000])
    if not user_ids:
        return
    now = timezone.now()
    document = Document.objects.create(slug=BENCH_SLUG, original_language="en")
    sections = Section.objects.bulk_create(
        [
            Section(document=document, key=f"part-{n + 1}", order=n, heading_en=f"Part {n + 1}: how we organise")
            for n in range(BENCH_SECTIONS)
        ]
    )
    body = "Organisers meet every month to compare what they tried, then **decide together** what to try next."
    texts = {s.key: f"{body}\n\n{body}" for s in sections}
    v1 = Version.objects.create(
        document=document,
        number=1,
        status=Version.Status.PUBLISHED,
        original_language="en",
        published_at=now - timedelta(days=200),
    )
    v2 = Version.objects.create(document=document, number=2, original_language="en")
    for version in (v1, v2):
        VersionText.objects.create(
            version=version, language="en", title="Bench strategy 2027–2030", summary="A long strategy.", sections=texts
        )
    closed = Round.objects.create(version=v2, opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30))
    current = Round.objects.create(version=v2, opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=40))
    for consultation, decided in ((closed, True), (current, False)):
        comments = [
            Comment(
                round=consultation,
                section=sections[n % BENCH_SECTIONS],
                author_id=rng.choice(user_ids),
                language="en",
                body=f"Comment {n}: in our neighbourhood this worked when *tenants* led the meetings.",
            )
            for n in range(BENCH_COMMENTS * 4 // 5)
        ]
        Comment.objects.bulk_create(comments, batch_size=2000)
        replies = []
        for n in range(BENCH_COMMENTS - len(comments)):
            parent = comments[rng.randrange(len(comments))]
            replies.append(
                Comment(
                    round=consultation,
                    section=parent.section,
                    parent=parent,
                    author_id=rng.choice(user_ids),
                    language="en",
                    body=f"Reply {n}: we saw the same, and it took a year.",
                )
            )
        Comment.objects.bulk_create(replies, batch_size=2000)
        statuses = [Amendment.Status.ACCEPTED, Amendment.Status.DECLINED, Amendment.Status.PROPOSED]
        amendments = Amendment.objects.bulk_create(
            [
                Amendment(
                    round=consultation,
                    section=sections[n % BENCH_SECTIONS],
                    proposer_id=rng.choice(user_ids),
                    language="en",
                    text=f"{body}\n\nAnd once a year, in person (amendment {n}).",
                    explanation="Meeting in person is where trust is built.",
                    base_text=texts[sections[n % BENCH_SECTIONS].key],
                    status=statuses[n % 3] if decided else Amendment.Status.PROPOSED,
                    decision_reason="Too costly for now." if decided and n % 3 == 1 else "",
                    decided_at=now - timedelta(days=29) if decided and n % 3 != 2 else None,
                )
                for n in range(BENCH_AMENDMENTS)
            ],
            batch_size=1000,
        )
        Support.objects.bulk_create(
            [
                Support(amendment=amendment, user_id=user_id)
                for amendment in amendments
                for user_id in rng.sample(user_ids, k=rng.randint(0, 6))
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    cache.changed(NAMESPACE)
    stdout.write(
        f"strategy: bench strategy with {BENCH_SECTIONS} sections and two rounds of "
        f"{BENCH_COMMENTS} comments and {BENCH_AMENDMENTS} amendments added."
    )


def _bench_commitments(stdout, *, scale: int = 1) -> None:
    """``scale`` times as many convenings, each with as many commitments and updates."""
    import random

    from core import cache
    from strategy.models import NAMESPACE, CommitmentStatus, CommitmentUpdate

    if Exchange.objects.filter(slug__startswith="bench-convening-").exists():
        stdout.write("strategy: bench commitments already present.")
        return
    rng = random.Random(29)
    n_convenings = BENCH_CONVENINGS * scale
    n_commitments = BENCH_COMMITMENTS * scale
    now = timezone.now()
    bench_users = User.objects.filter(email__endswith="@bench.example.org")
    owner_ids = list(bench_users.values_list("pk", flat=True)[: 500 * scale])
    organisation_ids = list(Organisation.objects.values_list("pk", flat=True)[: 2000 * scale])
    themes = list(Theme.objects.values_list("pk", flat=True))
    if not owner_ids or not organisation_ids:
        return
    convenings = Exchange.objects.bulk_create(
        [
            Exchange(
                slug=f"bench-convening-{n}",
                title=f"Bench funder convening {n}",
                summary="Funders and organisers agree what each will do.",
                kind=Exchange.Kind.CONVENING,
                # Every convening in the past, however many: spread over the same 200 days.
                starts_at=now - timedelta(days=300 - 10 * n // scale),
                ends_at=now - timedelta(days=300 - 10 * n // scale, hours=-6),
                status=Exchange.Status.PUBLISHED,
                published_at=now - timedelta(days=320),
            )
            for n in range(n_convenings)
        ]
    )
    objectives = Objective.objects.bulk_create(
        [
            Objective(exchange=convening, text=f"Objective {i + 1}: more organisers in more places", order=i)
            for convening in convenings
            for i in range(3)
        ]
    )
    statuses = [s for s, _label in CommitmentStatus.choices]
    commitments = Commitment.objects.bulk_create(
        [
            Commitment(
                exchange=convenings[n % n_convenings],
                objective=objectives[(n % n_convenings) * 3 + n % 3],
                title=f"Commitment {n}: fund two organisers for three years",
                description="Core funding, reported on every quarter.",
                theme_id=rng.choice(themes) if themes else None,
                owner_id=rng.choice(owner_ids),
                due_on=timezone.localdate() + timedelta(days=rng.randint(-200, 400)),
                status=statuses[n % len(statuses)],
                visibility=Commitment.Visibility.PUBLIC if n % 4 else Commitment.Visibility.MEMBERS,
            )
            for n in range(n_commitments)
        ],
        batch_size=1000,
    )
    through = Commitment.organisations.through
    through.objects.bulk_create(
        [
            through(commitment_id=c.pk, organisation_id=o)
            for c in commitments
            for o in rng.sample(organisation_ids, k=rng.randint(1, 3))
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    per = BENCH_UPDATES // BENCH_COMMITMENTS
    CommitmentUpdate.objects.bulk_create(
        [
            CommitmentUpdate(
                commitment=c,
                status=c.status if i == per - 1 else CommitmentStatus.UNDER_WAY,
                note=f"Update {i + 1}: the second organiser started this month.",
                created_by_id=c.owner_id,
            )
            for c in commitments
            for i in range(per)
        ],
        batch_size=5000,
    )
    cache.changed(NAMESPACE)
    cache.changed("exchanges")
    stdout.write(f"strategy: {len(commitments)} bench commitments with {len(commitments) * per} updates added.")
