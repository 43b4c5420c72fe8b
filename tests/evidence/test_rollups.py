"""The dashboard's rollups (``evidence.rollups``): kept on every write exactly as a rebuild from
scratch would make them, and giving every audience the figures ``visible_to`` gives it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.policy import AUDIENCES, representative, viewer_for
from evidence import dashboard, rollups, services
from evidence.models import Consent, EvidenceRecord, Indicator, MetricUpdate, ProcessDimension, RecordRollupState
from tests.factories.evidence import ConsentFactory, EvidenceRecordFactory, MetricUpdateFactory, story
from tests.factories.network import OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
KINDS = ["story", "testimony", "outcome", "metric", "document"]
COUNTRIES = ["SE", "NL", "DE"]


def _record(draw_kind, visibility, status, countries, consent, day_offset, organisations, themes, dimensions):
    fields = {
        "kind": draw_kind,
        "visibility": visibility,
        "status": status,
        "countries": countries,
        "organisations": organisations,
        "themes": themes,
        "dimensions": dimensions,
        "period_start": TODAY - datetime.timedelta(days=day_offset) if day_offset is not None else None,
        "period_end": None,
    }
    if draw_kind in ("story", "testimony") and consent is not None:
        network, funders, public, expires = consent
        record = EvidenceRecordFactory(**fields)
        ConsentFactory(
            record=record,
            audience_network=network,
            audience_funders=funders,
            audience_public=public,
            obtained_on=datetime.date(2024, 1, 1),
            expires_on=TODAY + datetime.timedelta(days=expires) if expires is not None else None,
        )
        return record
    return EvidenceRecordFactory(**fields)


records_strategy = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(["network", "funders", "public"]),
    st.sampled_from(["published", "published", "draft", "submitted"]),
    st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=3),
    st.one_of(
        st.none(), st.tuples(st.booleans(), st.booleans(), st.booleans(), st.one_of(st.none(), st.integers(1, 30)))
    ),
    st.one_of(st.none(), st.integers(0, 900)),
)
# What happens next to one of the records made so far (by its position, modulo their number).
steps_strategy = st.lists(
    st.tuples(
        st.sampled_from(["metric", "metric", "withdraw", "visibility", "themes", "countries", "publish", "delete"]),
        st.integers(0, 50),
        st.integers(0, 500),
    ),
    max_size=12,
)


def _world():
    organisations = [OrganisationFactory(country=c) for c in ("SE", "NL")]
    themes = [ThemeFactory(slug=f"theme-{i}") for i in range(2)]
    dimensions = list(ProcessDimension.objects.order_by("pk")[:2])
    indicators = [Indicator.objects.get(slug="one-to-ones"), Indicator.objects.get(slug="people-benefiting")]
    return organisations, themes, dimensions, indicators


def _play(coordinator, world, made, steps):
    """Apply ``steps`` to the records ``made`` through the services (and the model, as the
    admin's inlines and deletions do)."""
    organisations, themes, _dimensions, indicators = world
    for action, which, amount in steps:
        if not made:
            return
        record = made[which % len(made)]
        if not EvidenceRecord.objects.filter(pk=record.pk).exists():
            continue
        record.refresh_from_db()
        if action == "metric":
            start = TODAY - datetime.timedelta(days=amount)
            services.metric_update_create(
                record=record,
                user=coordinator,
                indicator=indicators[amount % 2],
                organisation=organisations[amount % 2],
                period_start=start,
                period_end=start + datetime.timedelta(days=amount % 40),
                value=Decimal(amount),
            )
        elif action == "withdraw":
            consent = Consent.objects.filter(record=record).first()
            if consent is not None:
                services.consent_withdraw(consent=consent, user=coordinator)
        elif action == "visibility":
            services.record_update(
                record=record, user=coordinator, data={"visibility": ["network", "funders", "public"][amount % 3]}
            )
        elif action == "themes":
            services.record_update(record=record, user=coordinator, data={"themes": themes[: amount % 3]})
        elif action == "countries":
            services.record_update(record=record, user=coordinator, data={"countries": COUNTRIES[: amount % 4]})
        elif action == "publish" and record.status == "submitted":
            services.record_transition(record=record, user=coordinator, step="publish")
        elif action == "delete":
            update = MetricUpdate.objects.filter(record=record).first()
            # A value removed (as in the admin's inline), or the whole record.
            (update if amount % 2 and update is not None else record).delete()


# Few examples and no shrinking: each example writes dozens of rows (the suite's time matters).
@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(records=st.lists(records_strategy, min_size=1, max_size=6), steps=steps_strategy)
def test_rollups_kept_on_write_equal_a_rebuild_from_scratch(coordinator, records, steps):
    with transaction.atomic():
        world = _world()
        organisations, themes, dimensions, _indicators = world
        made = [
            _record(kind, visibility, status, countries, consent, day, organisations[:1], themes[:1], dimensions[:1])
            for kind, visibility, status, countries, consent, day in records
        ]
        _play(coordinator, world, made, steps)
        kept = rollups.snapshot()
        rollups.rebuild()
        assert rollups.snapshot() == kept
        transaction.set_rollback(True)


def _varied_evidence(coordinator):
    organisations, themes, dimensions, indicators = _world()
    for i in range(18):
        kind = KINDS[i % len(KINDS)]
        consent = (i % 2 == 0, i % 3 != 0, i % 4 == 0, [None, 5, 40][i % 3])
        _record(
            kind,
            ["network", "funders", "public"][i % 3],
            ["published", "published", "draft"][i % 3] if i % 5 else "submitted",
            COUNTRIES[: i % 4],
            consent,
            [None, 10, 200, 400, 700][i % 5],
            organisations[: 1 + i % 2],
            themes[: i % 3],
            dimensions[: i % 3],
        )
    # Public ones too, for the anonymous audience: an outcome and a story everyone may read.
    EvidenceRecordFactory(
        countries=["SE", "NL"], themes=themes[:1], period_start=TODAY - datetime.timedelta(days=30), period_end=None
    )
    story(countries=["NL"], dimensions=dimensions[:1], period_start=None)
    EvidenceRecordFactory(kind="metric", countries=["SE"])
    for i, record in enumerate(EvidenceRecord.objects.filter(kind="metric")):
        for j in range(4):
            start = datetime.date(2025, 1 + 3 * j, 1 + i)
            services.metric_update_create(
                record=record,
                user=coordinator,
                indicator=indicators[(i + j) % 2],
                organisation=organisations[j % 2],
                period_start=start,
                period_end=start + datetime.timedelta(days=10 * (j % 3)),
                value=Decimal(5 * i + j),
            )
    # Two values of one organisation in one quarter ending on the same day: the newest counts.
    record = EvidenceRecord.objects.filter(kind="metric", status="published").first()
    for value in (7, 9):
        MetricUpdateFactory(
            record=record,
            indicator=indicators[1],
            organisation=organisations[0],
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 6, 30),
            value=value,
        )
    withdrawn = EvidenceRecord.objects.filter(status="published", consent__isnull=False).first()
    services.consent_withdraw(consent=withdrawn.consent, user=coordinator)


def _figures(audience: str, rollup: bool) -> dict:
    """The dashboard's unfiltered figures for ``audience``: from the rollups, or from the
    records ``visible_to`` gives its representative (as the dashboard computed them before)."""
    records = EvidenceRecord.objects.visible_to(representative(audience)).published()
    source = audience if rollup else None
    current, previous = dashboard.comparison_windows(today=TODAY)
    return {
        "headline": dashboard.headline(records, rollup=source),
        "comparison": dashboard.comparison(records, current, previous, rollup=source),
        "breakdowns": dashboard.breakdowns(records, rollup=source),
        "indicators": dashboard.indicator_quarters(records, rollup=source),
        "splits": dashboard.splits(records, rollup=source),
    }


@pytest.mark.parametrize("role", ["anonymous", "organiser", "other_organiser", "funder", "coordinator"])
def test_every_roles_figures_from_the_rollups_equal_those_from_visible_to(request, coordinator, role):
    _varied_evidence(coordinator)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    audience = viewer_for(user).audience
    from_rollups = _figures(audience, rollup=True)
    assert from_rollups == _figures(audience, rollup=False)
    assert from_rollups["headline"]["total"] > 0


def test_every_audience_is_covered_and_the_figures_differ_between_them(coordinator):
    _varied_evidence(coordinator)
    totals = {audience: _figures(audience, rollup=True)["headline"]["total"] for audience in AUDIENCES}
    assert totals["public"] < totals["funders"] < totals["coordinators"]
    assert totals["members"] < totals["coordinators"]


def test_the_rebuild_command_recomputes_rollups_lost_to_bulk_writes(coordinator):
    _varied_evidence(coordinator)
    kept = rollups.snapshot()
    RecordRollupState.objects.all().delete()
    for model in (rollups.RecordRollup, rollups.FacetRollup, rollups.MetricRollup, rollups.SplitRollup):
        model.objects.all().delete()
    call_command("evidence_rollups_rebuild", stdout=io.StringIO())
    assert rollups.snapshot() == kept


@pytest.mark.parametrize("role", ["anonymous", "organiser", "funder", "coordinator"])
def test_the_unfiltered_librarys_number_of_records_from_the_rollups_is_what_visible_to_lists(
    request, client, coordinator, role
):
    """The library takes its unfiltered count from the rollups (issue 16), a filtered one from
    the records: both are the number of published records the role may read."""
    _varied_evidence(coordinator)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)
    audience = viewer_for(user).audience
    expected = EvidenceRecord.objects.visible_to(representative(audience)).published().count()
    assert expected > 0
    html = client.get(reverse("evidence:index")).content.decode()
    assert f">{expected} record" in html
    kind = client.get(reverse("evidence:index"), {"kind": "story"}).content.decode()
    stories = EvidenceRecord.objects.visible_to(representative(audience)).published().filter(kind="story").count()
    assert f">{stories} record" in kind
