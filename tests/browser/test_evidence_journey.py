"""An organiser's story travels through review to the funder dashboard, and out again when the
storyteller withdraws consent."""

from __future__ import annotations

import re

import pytest

from evidence.models import EvidenceRecord
from network.models import Role
from network.roles import roles_sync
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def base_url():
    # pytest-playwright's fallback base_url fixture is an instance method, which pytest 9 warns
    # about (an error here); a plain fixture takes its place. Belongs in tests/browser/conftest.py.
    return None


def _restore_seeded_rows():
    """A transactional test starts from a flushed (and, with --reuse-db, possibly not restored)
    database: put back the role groups' permissions and the lists migration 0003 seeds."""
    from importlib import import_module

    from django.apps import apps

    roles_sync()
    import_module("evidence.migrations.0003_seed_lists_indicators_framework").seed(apps, None)


def _page_for(browser, browser_context_args, live_server, user):
    return signed_in_page(browser, live_server, user, accept_downloads=True)


def _count(page) -> int:
    return int(page.locator("#count-total").inner_text().strip())


def _csv(page) -> str:
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    return download.value.path().read_text(encoding="utf-8")


def test_story_from_submission_to_dashboard_and_out_again(browser, browser_context_args, live_server):
    _restore_seeded_rows()
    org = OrganisationFactory(name="Tillsammans Hjällbo", slug="tillsammans-hjallbo", country="SE")
    organiser = UserFactory(role=Role.ORGANISER)
    MembershipFactory(member=organiser.member, organisation=org)
    coordinator = UserFactory(role=Role.COORDINATOR)
    funder = UserFactory(role=Role.FUNDER)
    dashboard = f"{live_server.url}/evidence/dashboard/"

    funder_page = _page_for(browser, browser_context_args, live_server, funder)
    funder_page.goto(dashboard)
    assert_accessible(funder_page)
    before = _count(funder_page)

    # The organiser writes the story with the storyteller's consent and submits it.
    page = _page_for(browser, browser_context_args, live_server, organiser)
    page.goto(f"{live_server.url}/evidence/new/story/")
    assert_accessible(page)
    page.get_by_label("Title").fill("Samira found her voice in Hjällbo")
    page.get_by_label("Summary").fill("From a quiet neighbour to the tenants' spokesperson.")
    page.get_by_label("Body").fill("She spoke at the **housing** meeting for the first time.")
    page.get_by_label("Why it matters").fill("Nobody had ever asked her before.")
    page.get_by_label("Tillsammans Hjällbo").check()
    page.get_by_label("Countries").select_option("SE")
    page.get_by_label("Visibility").select_option("funders")
    page.get_by_label("Storyteller's name").fill("Samira Haddad")
    page.get_by_label("Identity level").select_option("first_name")
    page.get_by_label("Funders may see it").check()
    page.get_by_label("Obtained on").fill("2025-03-01")
    page.get_by_label("How it was obtained").select_option("written")
    page.get_by_role("button", name="Save and submit for review").click()
    page.wait_for_url(re.compile(r"/evidence/\d+/$"))
    assert "submitted for review" in page.content()
    assert_accessible(page)
    record = EvidenceRecord.objects.get(title="Samira found her voice in Hjällbo")
    assert record.status == EvidenceRecord.Status.SUBMITTED

    # A coordinator publishes it from the review queue in the admin.
    admin = _page_for(browser, browser_context_args, live_server, coordinator)
    admin.goto(f"{live_server.url}/admin/evidence/reviewqueueitem/")
    admin.check(f'input[name="_selected_action"][value="{record.pk}"]')
    admin.select_option('select[name="action"]', "action_publish")
    admin.click('button[name="index"]')
    admin.wait_for_load_state()
    record.refresh_from_db()
    assert record.status == EvidenceRecord.Status.PUBLISHED

    # The funder sees the count rise, filters by country and downloads the CSV with the story.
    funder_page.goto(dashboard)
    assert _count(funder_page) == before + 1
    funder_page.get_by_text("Filter the figures").click()
    funder_page.get_by_label("Country", exact=True).select_option("SE")
    funder_page.get_by_role("button", name="Apply filters").click()
    funder_page.wait_for_url(re.compile(r"country=SE"))
    assert_accessible(funder_page)
    assert _count(funder_page) == 1
    assert funder_page.get_by_role("link", name="Remove the filter Country: Sweden").is_visible()
    csv_text = _csv(funder_page)
    assert "Samira found her voice in Hjällbo" in csv_text and "Samira Haddad" not in csv_text

    # The storyteller withdraws consent; the organiser records it.
    page.goto(f"{live_server.url}/evidence/{record.pk}/")
    assert_accessible(page)
    page.get_by_label("Note (optional)").fill("Samira asked us by phone.")
    page.get_by_role("button", name="Withdraw consent").click()
    page.wait_for_url(re.compile(r"/evidence/mine/$"))
    assert_accessible(page)

    # Gone from the dashboard and the export on the next load.
    funder_page.reload()
    assert _count(funder_page) == 0
    assert "Samira found her voice" not in _csv(funder_page)
    funder_page.goto(f"{live_server.url}/evidence/?country=SE")
    assert_accessible(funder_page)
    assert "Samira found her voice" not in funder_page.content()


def test_self_assessment_round_is_answered_and_read_accessibly(browser, browser_context_args, live_server):
    from evidence.models import Answer
    from tests.factories.evidence import CommunityFactory, RoundFactory

    _restore_seeded_rows()
    org = OrganisationFactory(name="Gemeente Hellendoorn", slug="gemeente-hellendoorn", country="NL")
    organiser = UserFactory(role=Role.ORGANISER)
    MembershipFactory(member=organiser.member, organisation=org)
    round_obj = RoundFactory(community=CommunityFactory(organisations=[org]), title="Hellendoorn: one year on")
    page = _page_for(browser, browser_context_args, live_server, organiser)

    page.goto(f"{live_server.url}/evidence/self-assessment/")
    assert_accessible(page)
    page.get_by_role("link", name="Answer Hellendoorn: one year on").click()
    assert_accessible(page)
    page.get_by_label("I answer as").select_option("resident")
    for fieldset in page.locator("fieldset.card").all():
        fieldset.get_by_label("4").check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(re.compile(rf"/self-assessment/{round_obj.pk}/$"))
    assert_accessible(page)
    assert Answer.objects.filter(response__respondent=organiser).count() == 12

    for path in ("/evidence/mine/", "/evidence/new/", "/evidence/new/outcome/", "/evidence/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)


def _dashboard_world():
    """A network's worth of evidence: many countries and themes, every indicator with values
    and targets over two years, splits, stories."""
    import datetime
    from decimal import Decimal

    from evidence.models import Indicator
    from tests.factories.evidence import EvidenceRecordFactory, MetricUpdateFactory, TargetFactory, story
    from tests.factories.network import ThemeFactory

    countries = ["SE", "NL", "DE", "FR", "ES", "IT", "PL", "DK", "NO", "FI", "BE", "AT", "PT", "IE", "GR"]
    themes = [ThemeFactory(slug=f"theme-{i}", name=f"theme number {i}") for i in range(12)]
    orgs = [OrganisationFactory(country=c) for c in countries[:6]]
    for i, country in enumerate(countries):
        for j in range(1 + i % 4):
            story(
                title=f"Story {country} {j}",
                countries=[country, countries[(i + 1) % len(countries)]][: 1 + j % 2],
                themes=themes[: 1 + (i + j) % 12],
                period_start=datetime.date(2025, 1 + (i + j) % 12, 1),
                period_end=datetime.date(2025, 1 + (i + j) % 12, 20),
            )
    for k, indicator in enumerate(Indicator.objects.all()):
        record = EvidenceRecordFactory(kind="metric", organisations=orgs, countries=countries[:3])
        for quarter in range(10):
            start = datetime.date(2024 + quarter // 4, 3 * (quarter % 4) + 1, 1)
            period = {"period_start": start, "period_end": start + datetime.timedelta(days=80)}
            for org in orgs[:2]:
                MetricUpdateFactory(
                    record=record,
                    indicator=indicator,
                    organisation=org,
                    value=Decimal(1200 + 37 * quarter + k),
                    **period,
                )
                TargetFactory(indicator=indicator, organisation=org, value=Decimal(1250 + 10 * k), **period)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dashboard_is_short_and_scannable_on_a_phone_and_a_desktop(
    browser, browser_context_args, live_server, width
):
    """Before: 9,400 px long, small indented figures, every table open. Now: key figures first,
    sections with a table of contents, long lists drawn short, no sideways scrolling."""
    from tests.browser.conftest import screenshots

    _restore_seeded_rows()
    _dashboard_world()
    funder = UserFactory(role=Role.FUNDER)
    page = _page_for(browser, browser_context_args, live_server, funder)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/evidence/dashboard/")
    screenshots(page, "dashboard")
    page.set_viewport_size({"width": width, "height": 800})
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of sideways scrolling at {width}px"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < (7000 if width == 390 else 3600), height
    # The key figures are the first thing under the heading, large, in the first screen.
    tile = page.locator("#count-total")
    assert tile.bounding_box()["y"] < 800
    assert float(tile.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 28
    # The table of contents leads to each section.
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Where and on what").click()
    page.wait_for_url(re.compile(r"#where$"))
    # One filter applied, then removed with one click on its chip, leaving the other.
    page.goto(f"{live_server.url}/evidence/dashboard/?country=SE&theme=theme-0")
    page.get_by_role("link", name="Remove the filter Country: Sweden").click()
    page.wait_for_url(re.compile(r"\?theme=theme-0$"))
    assert_accessible(page)
    screenshots(page, "dashboard-filtered")
    page.goto(f"{live_server.url}/evidence/dashboard/report/?country=SE")
    assert_accessible(page)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    screenshots(page, "dashboard-report-print")
