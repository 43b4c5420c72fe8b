"""The dashboard reads in a minute: key figures with a period comparison, the active filters as
removable chips, one number format per language and precision per indicator, readable names in
the exports, and a report that prints like one."""

import csv
import datetime
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from core.formats import medium_date
from evidence import dashboard
from evidence.models import EvidenceRecord, Indicator, ProcessDimension
from tests.evidence.test_dashboard import _svg_problems
from tests.factories.evidence import EvidenceRecordFactory, MetricUpdateFactory, TargetFactory, story
from tests.factories.network import OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("evidence:dashboard")
REPORT = reverse("evidence:dashboard_report")
CSV = reverse("evidence:export_csv")
XLSX = reverse("evidence:export_xlsx")
SPRING = {"period_from": "2025-04-01", "period_to": "2025-06-30"}


def _on(day: datetime.date, *, kind="document", **kwargs):
    """A published record observed on ``day`` (a story with its storyteller's consent)."""
    if kind == "story":
        return story(period_start=day, period_end=day, **kwargs)
    return EvidenceRecordFactory(kind=kind, period_start=day, period_end=day, **kwargs)


# --- key figures ------------------------------------------------------------------------------


def test_the_comparison_windows_are_the_period_and_the_one_of_equal_length_before_it():
    today = datetime.date(2026, 12, 7)
    current, previous = dashboard.comparison_windows(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), today=today)
    assert (current.start, current.end, current.days) == (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), 91)
    assert (previous.start, previous.end) == (datetime.date(2024, 12, 31), datetime.date(2025, 3, 31))
    # No period: the last twelve months against the twelve before.
    current, previous = dashboard.comparison_windows(today=today)
    assert (current.start, current.end) == (datetime.date(2025, 12, 8), today)
    assert (previous.start, previous.end) == (datetime.date(2024, 12, 8), datetime.date(2025, 12, 7))


@pytest.mark.parametrize(
    "period",
    [
        {"period_from": "0001-01-02", "period_to": "0001-01-05"},
        {"period_from": "0001-01-01"},
        {"period_to": "9999-12-31"},
        {"period_from": "2025-06-30", "period_to": "2025-01-01"},
    ],
)
def test_extreme_periods_never_500(client_as, period):
    EvidenceRecordFactory()
    client = client_as("funder")
    for url in (DASHBOARD, REPORT):
        assert client.get(url, period).status_code == 200


def test_key_figures_compare_the_period_with_the_previous_one_in_one_query(client_as, django_assert_num_queries):
    for day in (datetime.date(2025, 4, 3), datetime.date(2025, 5, 9), datetime.date(2025, 6, 30)):
        _on(day, kind="story", countries=["SE"])
    _on(datetime.date(2025, 5, 1), kind="outcome", countries=["SE", "NL"], verification="evaluated")
    _on(datetime.date(2025, 2, 14), kind="story", countries=["SE", "NL"], verification="peer_reviewed")
    _on(datetime.date(2024, 12, 31), kind="outcome", countries=["SE"])
    _on(datetime.date(2024, 12, 30), kind="story", countries=["SE"])  # before both windows
    _on(datetime.date(2025, 5, 2), kind="story", countries=["NL"])  # filtered out by country
    _on(datetime.date(2025, 5, 3), kind="story", status=EvidenceRecord.Status.DRAFT, countries=["SE"])  # unpublished

    records = EvidenceRecord.objects.published().filter(record_countries__country="SE")
    current, previous = dashboard.comparison_windows(
        datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), today=datetime.date(2026, 1, 1)
    )
    with django_assert_num_queries(1):
        compared = dashboard.comparison(records, current, previous)
    now, before = compared["current"], compared["previous"]
    assert (now["total"], now["stories"], now["outcomes"], now["cross_border"]) == (4, 3, 1, 1)
    assert (before["total"], before["stories"], before["outcomes"], before["cross_border"]) == (2, 1, 1, 1)
    assert (now["cross_border_share"], before["cross_border_share"]) == (25, 50)
    assert (now["verified_share"], before["verified_share"]) == (25, 50)

    response = client_as("funder").get(DASHBOARD, {**SPRING, "country": "SE"})
    tiles = {tile["id"]: tile for tile in response.context["key_figures"]}
    assert tiles["count-total"]["value"] == "4"
    total = tiles["count-total"]["change"]
    assert (total["direction"], total["short"]) == ("up", "+2")
    assert total["sentence"] == "Up 2 on the previous period: 4 against 2."
    cross = tiles["share-cross-border"]["change"]
    assert (cross["direction"], cross["short"]) == ("down", "−25 pp")
    assert cross["sentence"] == "Down 25 percentage points on the previous period: 25% against 50%."
    assert tiles["count-outcomes"]["change"]["direction"] == "same"
    html = response.content.decode()
    # Not by colour alone: an arrow and a sign to see, a sentence for screen readers.
    assert '<span class="key-figure-arrow">▲</span> <strong>+2</strong>' in html
    assert '<span class="visually-hidden">Up 2 on the previous period: 4 against 2.</span>' in html
    assert "31 Dec 2024 – 31 Mar 2025" in html


def test_without_a_period_the_key_figures_compare_the_last_twelve_months(client_as):
    today = timezone.localdate()
    _on(today - datetime.timedelta(days=10))
    _on(today - datetime.timedelta(days=400))
    _on(today - datetime.timedelta(days=500))
    context = client_as("coordinator").get(DASHBOARD).context
    assert context["headline"]["total"] == 3
    assert (context["comparison"]["current"]["total"], context["comparison"]["previous"]["total"]) == (1, 2)
    tile = context["key_figures"][0]
    assert (tile["value"], tile["change"]["direction"], tile["change"]["short"]) == ("3", "down", "−1")


def test_a_share_with_nothing_to_compare_says_so(client_as):
    _on(datetime.date(2025, 5, 1), kind="story")
    tiles = {t["id"]: t for t in client_as("funder").get(DASHBOARD, SPRING).context["key_figures"]}
    assert tiles["share-verified"]["change"]["direction"] == "none"
    assert tiles["count-total"]["change"]["sentence"] == "Up 1 on the previous period: 1 against 0."


# --- active filters ---------------------------------------------------------------------------


def _chips(html: str) -> dict[str, str]:
    """The filter chips of a page: their text (without the hidden prefix) and their link."""
    chips = {}
    for href, body in re.findall(r'<a class="filter-chip" href="([^"]*)">(.*?)</a>', html, flags=re.S):
        text = re.sub(r'<span class="visually-hidden">.*?</span>|<span class="filter-chip-x"[^>]*>.*?</span>', "", body)
        chips[re.sub(r"<[^>]+>", "", text).strip()] = href.replace("&amp;", "&")
    return chips


def test_each_active_filter_is_a_chip_whose_link_drops_only_that_filter(client_as):
    ThemeFactory(slug="housing", name="housing")
    OrganisationFactory(slug="navet", name="Navet i Bergsjön", country="SE")
    dimension = ProcessDimension.objects.get(slug="leadership-development")
    params = {"country": "SE", "theme": "housing", "organisation": "navet", "dimension": dimension.slug, **SPRING}
    html = client_as("funder").get(DASHBOARD, params).content.decode()
    chips = _chips(html)
    assert set(chips) == {
        "Period from: 1 Apr 2025",
        "Period until: 30 Jun 2025",
        "Country: Sweden",
        "Theme: Housing",
        "Organisation: Navet i Bergsjön",
        "Process dimension: Leadership development",
    }
    names = {
        "Period from": "period_from",
        "Period until": "period_to",
        "Country": "country",
        "Theme": "theme",
        "Organisation": "organisation",
        "Process dimension": "dimension",
    }
    for text, href in chips.items():
        url = urlsplit(href)
        assert url.path == DASHBOARD
        removed = names[text.split(":")[0]]
        assert {k: v[0] for k, v in parse_qs(url.query).items()} == {k: v for k, v in params.items() if k != removed}
    assert f'<a class="filter-clear" href="{DASHBOARD}">Clear all filters</a>' in html
    assert "Remove the filter" in html  # what a screen reader hears first


def test_no_chips_without_filters_and_none_for_a_filter_that_was_not_understood(client_as):
    client = client_as("funder")
    html = client.get(DASHBOARD).content.decode()
    assert not _chips(html) and "Showing all published evidence" in html and "filter-clear" not in html
    chips = _chips(client.get(DASHBOARD, {"country": "??", "theme": "x"}).content.decode())
    assert list(chips) == ["Theme: X"]


def test_the_chips_speak_swedish(client_as):
    html = client_as("funder").get("/sv" + DASHBOARD, {"country": "SE"}).content.decode()
    assert list(_chips(html)) == ["Land: Sverige"]


# --- numbers ----------------------------------------------------------------------------------


def _indicator_rows(html: str, indicator: Indicator) -> list[tuple[str, str]]:
    card = html.split(f'id="indicator-{indicator.pk}-title"')[1].split("</article>")[0]
    return re.findall(r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td>', card)


def _metric(indicator, value, target, *, quarter=1):
    org = OrganisationFactory()
    start = datetime.date(2025, 3 * quarter - 2, 1)
    period = {"period_start": start, "period_end": start + datetime.timedelta(days=29)}
    record = EvidenceRecordFactory(kind="metric", organisations=[org], countries=["SE"])
    MetricUpdateFactory(record=record, indicator=indicator, organisation=org, value=value, **period)
    TargetFactory(indicator=indicator, organisation=org, value=target, **period)


def test_value_and_target_have_one_precision_and_integers_no_decimals(client_as):
    whole, halves = Indicator.objects.get(slug="one-to-ones"), Indicator.objects.get(slug="trainings-held")
    _metric(whole, Decimal("115"), Decimal("111"))
    _metric(halves, Decimal("1.5"), Decimal("2"))
    html = client_as("funder").get(DASHBOARD).content.decode()
    assert _indicator_rows(html, whole) == [("115", "111")]
    assert _indicator_rows(html, halves) == [("1.5", "2.0")]
    assert "115.00" not in html
    # The names read as names.
    assert "One-to-one relational meetings held" in html and "Trainings held" in html


@pytest.mark.parametrize(
    ("language", "big", "half"), [("en", "12,345", "1.5"), ("sv", "12\xa0345", "1,5"), ("nl", "12.345", "1,5")]
)
def test_numbers_are_localised_in_text_and_never_in_svg_attributes(client_as, language, big, half):
    whole, halves = Indicator.objects.get(slug="one-to-ones"), Indicator.objects.get(slug="trainings-held")
    _metric(whole, Decimal("12345"), Decimal("12000"))
    _metric(halves, Decimal("1.5"), Decimal("2"), quarter=2)
    prefix = "" if language == "en" else f"/{language}"
    client = client_as("funder")
    for url in (prefix + DASHBOARD, prefix + REPORT):
        html = client.get(url).content.decode()
        assert _indicator_rows(html, whole)[0][0] == big, url
        assert _indicator_rows(html, halves)[0][0] == half, url
        assert not _svg_problems(html), url


# --- exports ----------------------------------------------------------------------------------


def _export_data():
    dimension = ProcessDimension.objects.get(slug="leadership-development")
    return EvidenceRecordFactory(
        title="Tenants organise",
        kind="outcome",
        layer="both",
        verification="peer_reviewed",
        countries=["SE"],
        dimensions=[dimension],
        themes=[ThemeFactory(slug="housing", name="housing")],
    )


def _csv(client, url) -> list[dict]:
    text = b"".join(client.get(url).streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # for Excel
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_and_xlsx_have_labelled_columns_with_the_codes_beside(client_as):
    _export_data()
    client = client_as("funder")
    row = _csv(client, CSV)[0]
    assert (row["Verification"], row["Verification code"]) == ("Peer-reviewed", "peer_reviewed")
    assert (row["Kind"], row["Kind code"]) == ("Outcome statement", "outcome")
    assert (row["Countries"], row["Country codes"]) == ("Sweden", "SE")
    assert (row["Process dimensions"], row["Process dimension codes"]) == (
        "Leadership development",
        "leadership-development",
    )
    assert (row["Themes"], row["Theme codes"]) == ("Housing", "housing")
    sheet = load_workbook(io.BytesIO(client.get(XLSX).content)).active
    header, values = list(sheet.iter_rows(max_row=2, values_only=True))
    cells = dict(zip(header, values, strict=True))
    assert (cells["Verification"], cells["Verification code"]) == ("Peer-reviewed", "peer_reviewed")
    assert sheet.title == "Evidence"
    # Each code column follows its label.
    assert header.index("Verification code") == header.index("Verification") + 1


def test_exports_speak_the_requests_language(client_as):
    _export_data()
    client = client_as("funder")
    row = _csv(client, "/sv" + CSV)[0]
    assert (row["Verifiering"], row["Länder"], row["Typ"]) == ("Granskad av kollegor", "Sverige", "Resultatbeskrivning")
    assert row["Rubrik"]  # the title column, headed in Swedish
    sheet = load_workbook(io.BytesIO(client.get("/sv" + XLSX).content)).active
    header, values = list(sheet.iter_rows(max_row=2, values_only=True))
    cells = dict(zip(header, values, strict=True))
    assert (cells["Verifiering"], cells["Länder"]) == ("Granskad av kollegor", "Sverige")
    with translation.override("sv"):
        assert sheet.title == translation.gettext("Evidence")


# --- the report -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "filter_text"), [("en", "Country: Sweden"), ("sv", "Land: Sverige"), ("nl", "Land: Zweden")]
)
def test_report_header_has_a_formatted_date_and_the_filters_in_words(client_as, language, filter_text):
    EvidenceRecordFactory(countries=["SE"])
    prefix = "" if language == "en" else f"/{language}"
    html = client_as("funder").get(prefix + REPORT, {"country": "SE"}).content.decode()
    header = html.split('<header class="report-header">')[1].split("</header>")[0]
    with translation.override(language):
        today = medium_date(timezone.localdate())
    assert today in header
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT[^\"]+\">[^<]*, \d\d:\d\d</time>", header)
    assert f"<li>{filter_text}</li>" in header
    for artefact in ("a.m.", "p.m.", "..", "country = SE", "country=SE;"):
        assert artefact not in header, artefact
    # A report, not a page: no in-page navigation, no filter form, tables open.
    assert (
        "dashboard-toc" not in html and "filter-panel" not in html and "<details" not in html.split("</header>", 2)[2]
    )


def test_report_without_filters_says_so(client_as):
    html = client_as("coordinator").get(REPORT).content.decode()
    assert "All published evidence, without filters." in html


# --- query counts -----------------------------------------------------------------------------


def _world(n):
    org = OrganisationFactory(slug="navet")
    theme = ThemeFactory(slug="cost-of-living")
    dimension = ProcessDimension.objects.get(slug="power-building")
    indicator = Indicator.objects.get(slug="one-to-ones")
    countries = ["SE", "NL", "DE", "FR", "ES", "IT", "PL", "DK", "NO", "FI", "BE", "AT"]
    for i in range(n):
        record = story(
            countries=countries[: 1 + i % len(countries)], organisations=[org], themes=[theme], dimensions=[dimension]
        )
        MetricUpdateFactory(record=record, indicator=indicator, organisation=org, value=i)
    TargetFactory(indicator=indicator, organisation=org)


PINNED = {
    # Unfiltered, the figures come from the rollups (``evidence.rollups``): the breakdowns read
    # the facets' sums, the listed names and the quarters' sums apart (a few hundred rows each).
    (DASHBOARD, ""): 13,
    (
        DASHBOARD,
        "country=SE&theme=cost-of-living&organisation=navet&dimension=power-building&period_from=2024-01-01",
    ): 14,
    (REPORT, "country=SE&period_to=2026-01-01"): 11,
}


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize(("url", "query"), list(PINNED))
def test_the_dashboards_query_count_is_pinned_whatever_the_data(client, funder, settings, n, url, query):
    """Uncached (every figure computed): the same number of queries for 3 records as for 40,
    with every filter and chip in use."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    _world(n)
    client.force_login(funder)
    client.get(url + "?" + query)  # sessions, content types: warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url + "?" + query).status_code == 200
    assert len(queries) == PINNED[(url, query)], [q["sql"][:120] for q in queries]


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_the_exports_cost_as_many_queries_for_40_records_as_for_3(client, funder, url):
    client.force_login(funder)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"country": "SE"})
            b"".join(response.streaming_content) if response.streaming else response.content
        return len(captured)

    _world(3)
    few = queries()
    theme = ThemeFactory(slug="more")
    for i in range(37):
        story(countries=["SE", "NL"], themes=[theme], title=f"More {i}")
    assert queries() == few
