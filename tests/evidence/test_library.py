"""The library and record pages: filters, pagination, permissions, Markdown safety, query counts."""

import pytest
from django.urls import reverse

from core.policy import representative
from evidence.models import EvidenceRecord, ProcessDimension
from tests.conftest import ROLES
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.network import OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db
INDEX = reverse("evidence:index")


def test_library_lists_published_visible_records_only(client_as, funder):
    shown = EvidenceRecordFactory(title="Tenants won repairs")
    EvidenceRecordFactory(title="Hidden draft", status=EvidenceRecord.Status.DRAFT)
    EvidenceRecordFactory(title="Network only", visibility="network")
    withheld = story(title="Consent excludes funders", consent={"audience_funders": False, "audience_public": False})
    content = client_as("funder").get(INDEX).content.decode()
    assert shown.title in content
    assert "Hidden draft" not in content
    assert "Network only" not in content
    assert withheld.title not in content
    organiser_content = client_as("organiser").get(INDEX).content.decode()
    assert "Network only" in organiser_content and withheld.title in organiser_content


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_open_the_library(client_as, role):
    assert client_as(role).get(INDEX).status_code == 200


def test_filters_by_kind_layer_dimension_theme_country_organisation_verification_and_text(client):
    theme = ThemeFactory(slug="housing", name="Housing")
    org = OrganisationFactory(slug="agera", name="Agera Göteborg")
    dimension = ProcessDimension.objects.get(slug="power-building")
    target = EvidenceRecordFactory(
        title="Rent strike in Hjällbo",
        countries=["SE"],
        themes=[theme],
        organisations=[org],
        dimensions=[dimension],
        verification="peer_reviewed",
        layer="both",
    )
    EvidenceRecordFactory(title="Other record", countries=["NL"])
    params = {
        "kind": "outcome",
        "layer": "both",
        "dimension": "power-building",
        "theme": "housing",
        "country": "SE",
        "organisation": "agera",
        "verification": "peer_reviewed",
        "q": "hjällbo",
        "period_from": "2025-02-01",
        "period_to": "2025-02-28",
    }
    for key, value in params.items():
        content = client.get(INDEX, {key: value}).content.decode()
        assert target.title in content, key
        assert "Other record" not in content or key in ("kind", "period_from", "period_to", "verification", "layer"), (
            key
        )
    content = client.get(INDEX, params).content.decode()
    assert target.title in content and "Other record" not in content
    assert "Rent strike" not in client.get(INDEX, {"country": "DK"}).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"country": "ZZZ"},
        {"kind": "nonsense"},
        {"period_from": "2025-13-45"},
        {"period_to": "yesterday"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"theme": "../../etc"},
        {"dimension": "'; DROP TABLE"},
        {"organisation": "\x00"},
        {"verification": "[]"},
    ],
)
def test_malformed_filters_never_give_a_500(client, params):
    EvidenceRecordFactory()
    response = client.get(INDEX, params)
    # A control character in the address gets the 400 page (core.http); other bad values are ignored.
    assert response.status_code == (400 if "\x00" in "".join(params.values()) else 200)


def test_malformed_filter_is_reported_and_ignored(client):
    record = EvidenceRecordFactory()
    response = client.get(INDEX, {"period_from": "not-a-date"})
    content = response.content.decode()
    assert record.title in content
    assert "not understood" in content


def test_library_pages_through_results(client):
    EvidenceRecordFactory.create_batch(25)
    first = client.get(INDEX).content.decode()
    assert "Page 1 of 2" in first
    assert client.get(INDEX, {"page": 2}).status_code == 200


def _library_queries(django_assert_max_num_queries, client, n):
    theme = ThemeFactory(slug="youth")
    org = OrganisationFactory()
    for _i in range(n):
        story(countries=["SE", "NL"], themes=[theme], organisations=[org])
    return client


@pytest.mark.parametrize("n", [5, 60])
def test_library_query_count_is_constant(client, funder, django_assert_max_num_queries, n):
    _library_queries(django_assert_max_num_queries, client, n)
    client.force_login(funder)
    with django_assert_max_num_queries(12):
        response = client.get(INDEX)
    assert response.status_code == 200


def test_record_page_is_404_for_whoever_may_not_see_it(client_as):
    draft = EvidenceRecordFactory(status=EvidenceRecord.Status.DRAFT)
    network = EvidenceRecordFactory(visibility="network")
    assert client_as("anonymous").get(network.get_absolute_url()).status_code == 404
    assert client_as("funder").get(network.get_absolute_url()).status_code == 404
    assert client_as("funder").get(draft.get_absolute_url()).status_code == 404
    assert client_as("other_organiser").get(draft.get_absolute_url()).status_code == 404
    assert client_as("organiser").get(network.get_absolute_url()).status_code == 200
    assert client_as("coordinator").get(draft.get_absolute_url()).status_code == 200
    assert client_as("anonymous").get("/evidence/999999/").status_code == 404


def test_record_page_shows_storyteller_as_the_identity_level_allows(client):
    record = story(consent={"person_name": "Amina Yusuf Hassan", "identity_level": "first_name"})
    content = client.get(record.get_absolute_url()).content.decode()
    assert "Told by Amina" in content
    assert "Yusuf Hassan" not in content


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<svg onload="alert(1)">',
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)">x</div>',
    "[x](vbscript:msgbox(1))",
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_in_the_body_is_sanitised(client, payload):
    record = EvidenceRecordFactory(body=payload, title="XSS test")
    content = client.get(record.get_absolute_url()).content.decode()
    body = content.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    lowered = body.lower()
    assert "<script" not in lowered
    assert "onerror=" not in lowered and "onload=" not in lowered and "onclick=" not in lowered
    assert "javascript:" not in lowered and "vbscript:" not in lowered and "data:text" not in lowered
    assert "<iframe" not in lowered and "<style" not in lowered and "style=" not in lowered


def test_title_is_escaped(client):
    record = EvidenceRecordFactory(title="<script>alert(1)</script>")
    content = client.get(INDEX).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert record.pk


def test_library_speaks_swedish_and_dutch_including_the_seeded_lists(client):
    EvidenceRecordFactory(dimensions=[ProcessDimension.objects.get(slug="power-building")])
    sv = client.get("/sv/evidence/").content.decode()
    assert "Underlagsbibliotek" in sv and "att bygga makt" in sv
    nl = client.get("/nl/evidence/").content.decode()
    assert "Bewijsbibliotheek" in nl and "macht opbouwen" in nl


def test_catalogues_are_complete():
    from pathlib import Path

    for lang in ("sv", "nl"):
        text = (Path(__file__).parents[2] / "evidence" / "locale" / lang / "LC_MESSAGES" / "django.po").read_text()
        entries = text.split("\n\n")[1:]
        assert "#, fuzzy" not in text
        assert not [e for e in entries if e.rstrip().endswith('msgstr ""')], lang


@pytest.mark.parametrize(
    "path",
    [
        "/evidence/99999999999999999999999/",
        "/evidence/99999999999999999999999/edit/",
        "/evidence/from-reflection/99999999999999999999/",
        "/evidence/self-assessment/99999999999999999999/",
        "/evidence/new/not-a-kind/",
        "/evidence/0/",
    ],
)
def test_bad_ids_are_404_not_500(client_as, path):
    for role in ("anonymous", "organiser", "coordinator"):
        assert client_as(role).get(path).status_code in (302, 403, 404)


def test_cached_library_count_follows_changes(client, coordinator):
    from evidence import services

    EvidenceRecordFactory()
    assert client.get(INDEX).context["page"].paginator.count == 1
    record = EvidenceRecordFactory(status=EvidenceRecord.Status.SUBMITTED)
    services.record_transition(record=record, user=coordinator, step="publish")
    assert client.get(INDEX).context["page"].paginator.count == 2
    told = story()
    assert client.get(INDEX).context["page"].paginator.count == 3
    services.consent_withdraw(consent=told.consent, user=coordinator)
    assert client.get(INDEX).context["page"].paginator.count == 2


@pytest.mark.parametrize("role", ROLES)
def test_unfiltered_library_count_is_what_the_role_may_read(client_as, role):
    """The unfiltered count comes from the rollups; a filtered one counts the records: both
    agree with ``visible_to`` for every role."""
    EvidenceRecordFactory()
    EvidenceRecordFactory(visibility="network")
    EvidenceRecordFactory(visibility="funders")
    EvidenceRecordFactory(status=EvidenceRecord.Status.DRAFT)
    story(consent={"audience_funders": False, "audience_public": False})
    client = client_as(role)
    response = client.get(INDEX)
    audience = response.wsgi_request.viewer.audience
    expected = EvidenceRecord.objects.visible_to(representative(audience)).published().count()
    assert response.context["page"].paginator.count == expected
    assert client.get(INDEX, {"q": ""}).context["page"].paginator.count == expected
    assert client.get(INDEX, {"layer": "process"}).context["page"].paginator.count == (
        EvidenceRecord.objects.visible_to(representative(audience)).published().filter(layer="process").count()
    )


def test_the_organisation_filter_lists_every_organisation_and_follows_changes_to_the_network(client):
    """The list is drawn once per change to the network and kept (issue 16: 20,000 options),
    the chosen organisation marked in each copy."""
    hjallbo = OrganisationFactory(name="Tillsammans Hjällbo", slug="tillsammans-hjallbo")
    OrganisationFactory(name="Buurtwerk <Noord>", slug="buurtwerk-noord")
    html = client.get(INDEX).content.decode()
    assert '<option value="tillsammans-hjallbo">Tillsammans Hjällbo</option>' in html
    assert '<option value="buurtwerk-noord">Buurtwerk &lt;Noord&gt;</option>' in html
    chosen = client.get(INDEX, {"organisation": hjallbo.slug}).content.decode()
    assert '<option value="tillsammans-hjallbo" selected>Tillsammans Hjällbo</option>' in chosen
    assert '<option value="buurtwerk-noord">' in chosen
    OrganisationFactory(name="Hyresgästföreningen", slug="hyresgastforeningen")
    assert '<option value="hyresgastforeningen">' in client.get(INDEX, {"kind": "story"}).content.decode()
