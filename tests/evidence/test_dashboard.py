"""The funder dashboard: access, SQL figures, visibility and consent in every number and export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evidence import services
from evidence.models import EvidenceRecord, Indicator, ProcessDimension
from tests.factories.evidence import EvidenceRecordFactory, MetricUpdateFactory, TargetFactory, story
from tests.factories.network import OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("evidence:dashboard")
CSV = reverse("evidence:export_csv")
XLSX = reverse("evidence:export_xlsx")
REPORT = reverse("evidence:dashboard_report")


@pytest.mark.parametrize("url", [DASHBOARD, CSV, XLSX, REPORT])
def test_dashboard_is_for_funders_and_coordinators_only(client_as, url):
    anonymous = client_as("anonymous").get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert client_as("organiser").get(url).status_code == 403
    assert client_as("other_organiser").get(url).status_code == 403
    assert client_as("funder").get(url).status_code == 200
    assert client_as("coordinator").get(url).status_code == 200


def test_funder_group_has_the_dashboard_permission(funder):
    assert funder.has_perm("evidence.view_dashboard")


def _hidden_from_funders():
    """One record for each way a funder must not see it."""
    return [
        EvidenceRecordFactory(title="HIDDEN draft", status=EvidenceRecord.Status.DRAFT, countries=["SE"]),
        EvidenceRecordFactory(title="HIDDEN network", visibility="network", countries=["SE"]),
        story(title="HIDDEN consent", countries=["SE"], consent={"audience_funders": False, "audience_public": False}),
    ]


def test_counts_charts_and_exports_exclude_what_funders_may_not_see(client_as):
    visible = story(title="Visible story", countries=["SE"])
    _hidden_from_funders()
    client = client_as("funder")
    response = client.get(DASHBOARD)
    assert response.context["headline"]["total"] == 1
    assert response.context["headline"]["stories"] == 1
    countries = {bar["label"]: bar["value"] for bar in response.context["countries_chart"]["bars"]}
    assert countries == {"Sweden": 1}
    content = response.content.decode()
    assert "HIDDEN" not in content
    rows = list(csv.reader(io.StringIO(b"".join(client.get(CSV).streaming_content).decode())))
    assert [r[1] for r in rows[1:]] == [visible.title]
    workbook = load_workbook(io.BytesIO(client.get(XLSX).content))
    titles = [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert titles == [visible.title]
    assert "HIDDEN" not in client.get(REPORT).content.decode()


def test_withdrawn_consent_disappears_from_the_next_load_and_export(client_as, coordinator):
    record = story(title="Amina's story", countries=["SE"])
    client = client_as("funder")
    assert client.get(DASHBOARD).context["headline"]["total"] == 1
    services.consent_withdraw(consent=record.consent, user=coordinator)
    assert client.get(DASHBOARD).context["headline"]["total"] == 0
    assert "Amina" not in b"".join(client.get(CSV).streaming_content).decode()


def test_headline_balance_cross_border_verification_and_consent_coverage(client_as):
    dimension = ProcessDimension.objects.get(slug="leadership-development")
    EvidenceRecordFactory(layer="process", countries=["SE", "NL"], dimensions=[dimension], verification="evaluated")
    EvidenceRecordFactory(layer="outcome", countries=["SE"])
    story(countries=["NL"])
    context = client_as("coordinator").get(DASHBOARD).context
    head = context["headline"]
    assert head["total"] == 3
    assert head["process"] == 2 and head["outcome"] == 1
    assert head["cross_border"] == 1 and head["cross_border_share"] == 33
    assert head["evaluated"] == 1 and head["verified_share"] == 33
    assert head["needs_consent"] == 1 and head["consent_share"] == 100
    dims = {bar["label"]: bar["value"] for bar in context["dimensions_chart"]["bars"]}
    assert dims["leadership development"] == 1
    bar = next(b for b in context["dimensions_chart"]["bars"] if b["label"] == "leadership development")
    assert bar["href"] == reverse("evidence:index") + "?dimension=leadership-development"


def test_filters_narrow_every_figure_and_bars_keep_the_filters(client_as):
    theme = ThemeFactory(slug="housing")
    EvidenceRecordFactory(countries=["SE"], themes=[theme])
    EvidenceRecordFactory(countries=["NL"])
    context = client_as("funder").get(DASHBOARD, {"country": "SE"}).context
    assert context["headline"]["total"] == 1
    theme_bar = next(b for b in context["themes_chart"]["bars"] if b["value"])
    assert "country=SE" in theme_bar["href"] and "theme=housing" in theme_bar["href"]


def test_indicator_totals_per_quarter_with_targets_and_aggregations(client_as):
    org = OrganisationFactory()
    one_to_ones = Indicator.objects.get(slug="one-to-ones")
    benefiting = Indicator.objects.get(slug="people-benefiting")  # aggregation: latest
    record = EvidenceRecordFactory(kind="metric", organisations=[org])
    q1 = {"period_start": datetime.date(2025, 1, 1), "period_end": datetime.date(2025, 3, 31)}
    MetricUpdateFactory(record=record, indicator=one_to_ones, organisation=org, value=10, **q1)
    MetricUpdateFactory(record=record, indicator=one_to_ones, organisation=org, value=5, **q1)
    MetricUpdateFactory(
        record=record,
        indicator=benefiting,
        organisation=org,
        value=100,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 1, 31),
    )
    MetricUpdateFactory(
        record=record,
        indicator=benefiting,
        organisation=org,
        value=140,
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 3, 31),
    )
    other = OrganisationFactory()
    MetricUpdateFactory(
        record=record,
        indicator=benefiting,
        organisation=other,
        value=60,
        period_start=datetime.date(2025, 2, 1),
        period_end=datetime.date(2025, 2, 28),
    )
    TargetFactory(indicator=one_to_ones, organisation=org, value=20, **q1)
    hidden = EvidenceRecordFactory(kind="metric", status="draft", organisations=[org])
    MetricUpdateFactory(record=hidden, indicator=one_to_ones, organisation=org, value=1000, **q1)
    indicators = {e["pk"]: e for e in client_as("funder").get(DASHBOARD).context["indicators"]}
    q = indicators[one_to_ones.pk]["quarters"][0]
    assert (q["label"], q["actual"], q["target"]) == ("2025 Q1", Decimal("15.00"), Decimal("20.00"))
    # "latest": each organisation's most recent value in the quarter, summed (140 + 60).
    assert indicators[benefiting.pk]["quarters"][0]["actual"] == Decimal("200.00")


def test_splits_are_shown_with_their_total(client_as, coordinator):
    org = OrganisationFactory()
    indicator = Indicator.objects.get(slug="new-people-engaged")
    record = EvidenceRecordFactory(kind="metric", organisations=[org])
    services.metric_update_create(
        record=record,
        user=coordinator,
        indicator=indicator,
        organisation=org,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 3, 31),
        value=Decimal("10"),
        splits={"under 18": Decimal("4"), "18–29": Decimal("6")},
    )
    splits = client_as("funder").get(DASHBOARD).context["splits"]
    assert splits[0]["total"] == Decimal("10")
    assert [(r.label, r.value) for r in splits[0]["rows"]] == [("under 18", Decimal("4")), ("18–29", Decimal("6"))]


def test_exports_are_formula_safe(client_as):
    EvidenceRecordFactory(title='=HYPERLINK("http://evil")', summary="@SUM(A1)")
    client = client_as("coordinator")
    text = b"".join(client.get(CSV).streaming_content).decode()
    assert "'=HYPERLINK" in text and "'@SUM" in text
    sheet = load_workbook(io.BytesIO(client.get(XLSX).content)).active
    header, row = list(sheet.iter_rows(max_row=2, values_only=True))
    cells = dict(zip(header, row, strict=True))
    assert cells["Title"].startswith("'=") and cells["Summary"].startswith("'@")


def test_exports_follow_the_filters(client_as):
    EvidenceRecordFactory(title="Swedish record", countries=["SE"])
    EvidenceRecordFactory(title="Dutch record", countries=["NL"])
    text = b"".join(client_as("funder").get(CSV, {"country": "NL"}).streaming_content).decode()
    assert "Dutch record" in text and "Swedish record" not in text


def test_story_identity_level_in_export(client_as):
    story(consent={"person_name": "Amina Yusuf Hassan", "identity_level": "pseudonym", "pseudonym": "Rosa"})
    text = b"".join(client_as("funder").get(CSV).streaming_content).decode()
    assert "Rosa" in text and "Amina" not in text


@pytest.mark.parametrize(
    "params", [{"country": "??"}, {"period_from": "x"}, {"theme": "\x00"}, {"organisation": "a" * 999}]
)
def test_malformed_dashboard_filters_never_500(client_as, params):
    client = client_as("funder")
    # A control character in the address gets the 400 page (core.http); other bad values are ignored.
    expected = 400 if "\x00" in "".join(params.values()) else 200
    assert client.get(DASHBOARD, params).status_code == expected
    assert client.get(CSV, params).status_code == expected


def _data(n):
    org = OrganisationFactory()
    theme = ThemeFactory(slug="cost-of-living")
    dimension = ProcessDimension.objects.get(slug="power-building")
    indicator = Indicator.objects.get(slug="one-to-ones")
    for i in range(n):
        record = story(countries=["SE", "NL"][: 1 + i % 2], organisations=[org], themes=[theme], dimensions=[dimension])
        MetricUpdateFactory(record=record, indicator=indicator, organisation=org, value=i)
    TargetFactory(indicator=indicator, organisation=org)


@pytest.mark.parametrize("n", [5, 60])
def test_dashboard_query_count_is_constant(client, funder, django_assert_max_num_queries, n):
    _data(n)
    client.force_login(funder)
    with django_assert_max_num_queries(15):
        assert client.get(DASHBOARD).status_code == 200
    with django_assert_max_num_queries(15):
        assert (
            client.get(DASHBOARD, {"country": "SE", "theme": "cost-of-living", "period_from": "2024-01-01"}).status_code
            == 200
        )


def test_report_view_is_print_friendly(client_as):
    EvidenceRecordFactory()
    content = client_as("funder").get(REPORT).content.decode()
    assert "Evidence report" in content and "<svg" in content and "<script" not in content
    assert timezone.now().year


def test_cached_figures_follow_every_change(client_as, coordinator, django_assert_max_num_queries):
    client = client_as("funder")
    record = EvidenceRecordFactory(status=EvidenceRecord.Status.SUBMITTED, countries=["SE"])
    assert client.get(DASHBOARD).context["headline"]["total"] == 0
    with django_assert_max_num_queries(6):
        # A second load with nothing changed comes from the cache.
        client.get(DASHBOARD)
    services.record_transition(record=record, user=coordinator, step="publish")
    assert client.get(DASHBOARD).context["headline"]["total"] == 1
    # A change straight to the model (as the admin's inline does) also invalidates.
    told = story(countries=["SE"])
    assert client.get(DASHBOARD).context["headline"]["total"] == 2
    told.consent.withdrawn_at = timezone.now()
    told.consent.save()
    assert client.get(DASHBOARD).context["headline"]["total"] == 1


def test_dashboard_works_without_the_cache(client_as, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    EvidenceRecordFactory()
    assert client_as("funder").get(DASHBOARD).context["headline"]["total"] == 1


def test_organisation_filter_narrows_the_values_of_a_shared_metric_record(client_as):
    ours = OrganisationFactory(slug="navet-i-bergsjon", country="SE")
    theirs = OrganisationFactory(slug="agera-goteborg", country="NL")
    indicator = Indicator.objects.get(slug="trainings-held")
    record = EvidenceRecordFactory(kind="metric", organisations=[ours, theirs], countries=["SE", "NL"])
    MetricUpdateFactory(record=record, indicator=indicator, organisation=ours, value=3)
    MetricUpdateFactory(record=record, indicator=indicator, organisation=theirs, value=5)
    TargetFactory(indicator=indicator, organisation=ours, value=4)
    TargetFactory(indicator=indicator, organisation=theirs, value=9)
    client = client_as("funder")
    quarter = client.get(DASHBOARD, {"organisation": "navet-i-bergsjon"}).context["indicators"][0]["quarters"][0]
    assert (quarter["actual"], quarter["target"]) == (Decimal("3.00"), Decimal("4.00"))
    quarter = client.get(DASHBOARD, {"country": "NL"}).context["indicators"][0]["quarters"][0]
    assert (quarter["actual"], quarter["target"]) == (Decimal("5.00"), Decimal("9.00"))
    quarter = client.get(DASHBOARD).context["indicators"][0]["quarters"][0]
    assert (quarter["actual"], quarter["target"]) == (Decimal("8.00"), Decimal("13.00"))


def test_the_demos_portable_figures_match_the_sql_figures():
    """SQLite (the ``make run`` demo) computes the indicator figures in Python: the same
    numbers as PostgreSQL's statement, for sums, averages and "latest" values."""
    import random

    from evidence import dashboard

    rng = random.Random(5)
    organisations = [OrganisationFactory() for _ in range(3)]
    indicators = [Indicator.objects.get(slug="one-to-ones"), Indicator.objects.get(slug="people-benefiting")]
    for _ in range(6):
        record = EvidenceRecordFactory(kind="metric", organisations=organisations)
        for _ in range(8):
            start = datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28))
            MetricUpdateFactory(
                record=record,
                indicator=rng.choice(indicators),
                organisation=rng.choice(organisations),
                value=rng.randint(0, 500),
                period_start=start,
                period_end=start + datetime.timedelta(days=rng.choice([0, 10, 30])),
            )
    records = EvidenceRecord.objects.published()
    for narrowing in ({}, {"organisation": organisations[0].slug}):
        sql = dashboard._actuals(records, **narrowing)
        portable = dashboard._actuals_portable(records, **narrowing)
        assert len(sql) == len(portable) > 4
        for a, b in zip(sql, portable, strict=True):
            assert {k: a[k] for k in ("indicator", "quarter", "name", "unit", "aggregation", "order")} == {
                k: b[k] for k in ("indicator", "quarter", "name", "unit", "aggregation", "order")
            }
            assert a["total"] == b["total"] and a["latest"] == b["latest"]
            assert round(a["average"], 6) == round(b["average"], 6)


SVG_NUMBERS = {"x", "y", "x1", "y1", "x2", "y2", "dx", "dy", "width", "height", "cx", "cy", "r", "textLength"}


def _svg_problems(html: str) -> list[str]:
    """Every <svg> of a page parsed as XML; every geometric attribute must be a plain number
    (a decimal comma draws nothing and fills the console with errors)."""
    import re
    import xml.etree.ElementTree as ET

    problems = []
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        root = ET.fromstring(svg)  # noqa: S314 — our own rendered page, in a test
        for element in root.iter():
            for name, value in element.attrib.items():
                if name == "viewBox" or name == "points":
                    numbers = value.replace(",", " ").split() if name == "points" else value.split()
                    if name == "viewBox" and len(numbers) != 4:
                        problems.append(f"viewBox={value!r}")
                    for number in numbers:
                        try:
                            float(number)
                        except ValueError:
                            problems.append(f"{name}={value!r}")
                elif name in SVG_NUMBERS and not value.endswith("%"):
                    try:
                        float(value)
                    except ValueError:
                        problems.append(f"{element.tag} {name}={value!r}")
    return problems


@pytest.mark.parametrize("language", ["en", "sv", "nl"])
def test_dashboard_charts_draw_in_every_language(client_as, language):
    """Before: in Swedish and Dutch the charts' widths and positions were written with a decimal
    comma (``<rect width="54,0">``), so bars were missing and numbers misplaced."""
    org = OrganisationFactory()
    one_to_ones = Indicator.objects.get(slug="one-to-ones")
    record = EvidenceRecordFactory(kind="metric", organisations=[org], countries=["SE", "NL"])
    for quarter, value in ((1, Decimal("10.50")), (4, Decimal("7.25"))):
        start = datetime.date(2025, 3 * quarter - 2, 1)
        MetricUpdateFactory(
            record=record,
            indicator=one_to_ones,
            organisation=org,
            value=value,
            period_start=start,
            period_end=start + datetime.timedelta(days=30),
        )
    TargetFactory(
        indicator=one_to_ones,
        organisation=org,
        value=Decimal("12.5"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 3, 31),
    )
    for n in range(3):
        story(title=f"Story {n}", countries=["SE"])
    client = client_as("funder")
    prefix = "" if language == "en" else f"/{language}"
    for url in (prefix + DASHBOARD, prefix + REPORT):
        html = client.get(url).content.decode()
        assert html.count("<svg") >= 3, url
        assert not _svg_problems(html), (url, _svg_problems(html)[:5])


@pytest.mark.parametrize("role", ["anonymous", "organiser", "funder", "coordinator"])
def test_funders_reach_the_dashboard_in_one_click_from_the_home_page_header_and_library(client_as, role):
    """Before: no link to the dashboard anywhere; funders had to know its address."""
    client = client_as(role)
    for page in ("/", "/evidence/", "/sv/"):
        html = client.get(page).content.decode()
        link = 'href="/sv/evidence/dashboard/"' if page.startswith("/sv/") else 'href="/evidence/dashboard/"'
        assert (link in html) == (role in ("funder", "coordinator")), (role, page)
