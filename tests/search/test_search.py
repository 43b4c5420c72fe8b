"""The cross-site search: stemming per language, ranking, visibility, facets, bad input."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.policy import ANONYMOUS
from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from practice.models import Guide
from search import index as searchindex
from search.models import SearchEntry
from tests.factories.network import OrganisationFactory, ThemeFactory
from tests.factories.practice import JointActionFactory, ParticipationFactory, make_guide

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:index")


def titles(response):
    return [hit.title.replace("<mark>", "").replace("</mark>", "") for hit in response.context["results"].hits]


@pytest.fixture
def published(organiser, coordinator):
    def _make(**kwargs):
        return make_guide(author=organiser, coordinator=coordinator, status=Guide.Status.PUBLISHED, **kwargs)

    return _make


def test_swedish_stemming_finds_the_base_form(client, published):
    published(
        title="Community Organising för lokalt ledarskap",
        language="sv",
        kind="case_study",
        sections={"context": "Utbildningen stärker organisationen i Bergsjön."},
    )
    # "organisationerna" (the organisations) is an inflected form of "organisationen".
    response = client.get(SEARCH, {"q": "organisationerna"})
    assert titles(response) == ["Community Organising för lokalt ledarskap"]


def test_dutch_stemming_finds_the_base_form(client, published):
    published(
        title="Lerende Gemeenschap", language="nl", sections={"what": "Een groep die kennis deelt in de gemeente."}
    )
    # "gemeenten" and "groepen" (plurals) find "gemeente" and "groep".
    assert titles(client.get(SEARCH, {"q": "groepen"})) == ["Lerende Gemeenschap"]
    response = client.get(SEARCH, {"q": "gemeenten"})
    assert titles(response) == ["Lerende Gemeenschap"]


def test_english_stemming(client, published):
    published(title="Organising tenants", language="en", sections={"what": "Tenants organise together."})
    assert titles(client.get(SEARCH, {"q": "organised"})) == ["Organising tenants"]


def test_title_matches_rank_first(client, published):
    published(
        title="Workshops for neighbours",
        language="en",
        summary="Facilitation.",
        sections={"what": "Budget " * 30 + "is mentioned a lot here in the body."},
    )
    published(title="Participatory budget", language="en", sections={"what": "A way to decide together."})
    assert titles(client.get(SEARCH, {"q": "budget"})) == ["Participatory budget", "Workshops for neighbours"]


def test_drafts_are_invisible_to_others_in_search(client_as, organiser):
    make_guide(author=organiser, title="Secret draft about housing", language="en")
    assert titles(client_as("anonymous").get(SEARCH, {"q": "housing"})) == []
    assert titles(client_as("other_organiser").get(SEARCH, {"q": "housing"})) == []
    assert titles(client_as("funder").get(SEARCH, {"q": "housing"})) == []
    assert titles(client_as("organiser").get(SEARCH, {"q": "housing"})) == ["Secret draft about housing"]
    assert titles(client_as("coordinator").get(SEARCH, {"q": "housing"})) == ["Secret draft about housing"]


def test_a_published_guide_leaves_search_when_archived(client, organiser, coordinator):
    from practice import services

    guide = make_guide(
        author=organiser, coordinator=coordinator, status=Guide.Status.PUBLISHED, title="Tenant union", language="en"
    )
    assert titles(client.get(SEARCH, {"q": "tenant"})) == ["Tenant union"]
    services.guide_archive(guide=guide, user=coordinator)
    assert titles(client.get(SEARCH, {"q": "tenant"})) == []


def test_one_search_across_guides_joint_actions_exchanges_and_evidence(client, published):
    theme = ThemeFactory(slug="climate-change", name="Climate change")
    published(title="Climate assemblies", language="en", themes=[theme], countries=["NL"])
    action = JointActionFactory(title="Climate action across borders", issue=theme, language="en")
    ParticipationFactory(joint_action=action, organisation=OrganisationFactory(country="SE"))
    now = timezone.now()
    Exchange.objects.create(
        title="Climate exchange in Gothenburg",
        slug="climate-exchange",
        status=Exchange.Status.PUBLISHED,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
        working_languages=["en"],
    )
    Exchange.objects.create(
        title="Climate draft exchange", slug="draft-x", starts_at=now, ends_at=now + dt.timedelta(hours=1)
    )
    EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME,  # stories would need a consent record
        title="Climate outcomes",
        status=EvidenceRecord.Status.PUBLISHED,
        visibility=EvidenceRecord.Visibility.PUBLIC,
    )
    EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME,  # stories would need a consent record
        title="Climate network-only story",
        status=EvidenceRecord.Status.PUBLISHED,
        visibility=EvidenceRecord.Visibility.NETWORK,
    )
    EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME, title="Climate unpublished", visibility=EvidenceRecord.Visibility.PUBLIC
    )
    response = client.get(SEARCH, {"q": "climate"})
    assert sorted(titles(response)) == [
        "Climate action across borders",
        "Climate assemblies",
        "Climate exchange in Gothenburg",
        "Climate outcomes",
    ]
    facets = response.context["results"].facets
    assert dict(facets["kind"]) == {"guide": 1, "joint_action": 1, "exchange": 1, "evidence": 1}
    assert dict(facets["theme"]) == {"climate-change": 2}
    assert dict(facets["country"]) == {"NL": 1, "SE": 1}
    # A facet narrows the results.
    assert titles(client.get(SEARCH, {"q": "climate", "type": "joint_action"})) == ["Climate action across borders"]
    assert titles(client.get(SEARCH, {"q": "climate", "country": "NL"})) == ["Climate assemblies"]


def test_members_see_network_evidence(client_as):
    EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME,  # stories would need a consent record
        title="Network-only story",
        status=EvidenceRecord.Status.PUBLISHED,
        visibility=EvidenceRecord.Visibility.NETWORK,
    )
    assert titles(client_as("anonymous").get(SEARCH, {"q": "story"})) == []
    assert titles(client_as("organiser").get(SEARCH, {"q": "story"})) == ["Network-only story"]


def test_snippets_highlight_and_escape(client, published):
    published(
        title="Escaping <b>test</b>",
        language="en",
        sections={"what": "Neighbours <script>alert('x')</script> organise rent strikes when rent < income & more."},
    )
    html = client.get(SEARCH, {"q": "rent strikes"}).content.decode()
    assert "<mark>rent</mark>" in html and "<mark>strikes</mark>" in html
    assert "<script>alert" not in html
    assert "rent</mark> &lt; income &amp; more" in html
    assert "<b>test</b>" not in html


def test_snippets_show_the_words_of_markdown_not_its_markup(client, published):
    published(
        title="Kitchen tables",
        language="en",
        sections={"what": "## How we began\n\n**Tenants** met at [kitchen tables](https://example.org/k) each _week_."},
    )
    html = client.get(SEARCH, {"q": "kitchen tables"}).content.decode()
    snippet = html[html.index("Tenants") - 200 :][:400]
    assert "Tenants met at <mark>kitchen</mark> <mark>tables</mark> each week" in snippet
    for markup in ("**", "##", "](", "https://example.org/k", "_week_"):
        assert markup not in snippet


def test_the_index_follows_edits_and_deletes(published, organiser):
    guide = published(title="Kitchen table talks", language="en")
    entry = SearchEntry.objects.get(kind="guide", object_id=guide.pk)
    assert entry.config == "ll_english" and entry.vector
    guide.delete()
    assert not SearchEntry.objects.filter(kind="guide", object_id=guide.pk).exists()


def test_theme_changes_on_the_work_reach_every_language_version(published):
    guide = published(title="Theme follows", language="en")
    theme = ThemeFactory(slug="housing", name="Housing")
    guide.work.themes.add(theme)
    assert SearchEntry.objects.get(kind="guide", object_id=guide.pk).themes == ["housing"]


def test_reindex_command_rebuilds_everything(published):
    guide = published(title="Rebuilt entry", language="sv")
    SearchEntry.objects.all().delete()
    call_command("search_reindex")
    entry = SearchEntry.objects.get(kind="guide", object_id=guide.pk)
    assert entry.config == "ll_swedish" and entry.vector


BAD_QUERIES = [
    '"unbalanced quote',
    "'single'quote'",
    "a & b | !c <-> (d",
    "-",
    "OR OR AND",
    ":*",
    "\\",
    "x" * 10_000,
    "the and of",
    "  ",
    "%_%",
    "climate\x00",
    # The last word becomes a prefix query (to_tsquery 'word':*): words of underscores, digits,
    # superscripts and titlecase letters, a typo of a stop word, a word after a quoted phrase.
    "___",
    "a_b_c",
    "x²³",
    "ǅungla",
    '"climate change" assemb',
    "climate -",
    "teh",
    "ab" * 99,
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_never_500(client, published, query):
    published(title="The climate guide", language="en")
    response = client.get(SEARCH, {"q": query})
    if "\x00" in query:
        # A NUL in the address gets the 400 page (core.http).
        assert response.status_code == 400
        return
    assert response.status_code == 200
    html = response.content.decode()
    if len(query) > 200:
        assert 'class="errorlist"' in html
    elif query.strip():
        assert ("result for" in html) or ("results for" in html)


def test_only_stop_words_show_a_clear_empty_state(client, published):
    published(title="Mapping power", language="en")
    html = client.get(SEARCH, {"q": "the and of"}).content.decode()
    assert "0 results" in html and "Nothing found" in html


@pytest.mark.parametrize(
    "params",
    [{"q": "x", "page": "abc"}, {"q": "x", "page": "-1"}, {"q": "x", "country": "ZZ"}, {"q": "x", "type": "nope"}],
)
def test_bad_parameters_never_500(client, params):
    assert client.get(SEARCH, params).status_code == 200


def test_search_page_without_query(client):
    assert client.get(SEARCH).status_code == 200


def test_highlight_escapes_everything_but_its_markers():
    marked = f"{searchindex.MARK_START}a{searchindex.MARK_STOP} <img src=x onerror=alert(1)>"
    assert searchindex.highlight(marked) == "<mark>a</mark> &lt;img src=x onerror=alert(1)&gt;"


def test_removing_a_participant_updates_the_joint_actions_countries():
    action = JointActionFactory(title="Food prices", language="en")
    ParticipationFactory(joint_action=action, organisation=OrganisationFactory(country="SE"))
    belgian = ParticipationFactory(joint_action=action, organisation=OrganisationFactory(country="BE"))
    assert SearchEntry.objects.get(kind="joint_action", object_id=action.pk).countries == ["BE", "SE"]
    belgian.delete()
    assert SearchEntry.objects.get(kind="joint_action", object_id=action.pk).countries == ["SE"]
    action.delete()
    assert not SearchEntry.objects.filter(kind="joint_action").exists()


def test_the_demo_fallback_search_finds_words_and_puts_title_matches_first(published, organiser):
    """The SQLite demo's search (icontains), run here against the same index rows."""
    published(title="Neighbourhood kitchens", language="en", sections={"what": "Budget talks over dinner."})
    published(title="Budget circles", language="en", sections={"what": "People decide together."})
    make_guide(author=organiser, title="Budget draft", language="en")
    base = searchindex._filtered(ANONYMOUS)
    results = searchindex._search_fallback(base, "budget", page=1, per_page=20)
    assert [h.title for h in results.hits] == ["<mark>Budget</mark> circles", "Neighbourhood kitchens"]
    assert results.total == 2 and dict(results.facets["kind"]) == {"guide": 2}
    assert "<mark>Budget</mark> talks" in results.hits[1].snippet
    assert searchindex._search_fallback(base, "&&& !!", page=1, per_page=20).total == 0


def test_anonymous_results_are_cached_until_the_index_changes(client, published, django_assert_max_num_queries):
    published(title="Cached climate guide", language="en")
    assert titles(client.get(SEARCH, {"q": "cached"})) == ["Cached climate guide"]
    with django_assert_max_num_queries(1):  # the theme names only; the search comes from the cache
        assert titles(client.get(SEARCH, {"q": "cached"})) == ["Cached climate guide"]
    published(title="Another cached guide", language="en")
    assert sorted(titles(client.get(SEARCH, {"q": "cached"}))) == ["Another cached guide", "Cached climate guide"]


def test_the_vectors_have_a_gin_index():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_searchentry_vector_gin'")
        (definition,) = cursor.fetchone()
    assert "USING gin (vector)" in definition


def test_every_page_has_a_labelled_search_box(client):
    html = client.get("/organisations/").content.decode()
    assert 'action="/search/"' in html and 'for="header-search-q"' in html and "Search the site" in html
    assert 'action="/sv/search/"' in client.get("/sv/").content.decode()


def test_coordinators_read_the_index_in_the_admin_of_the_search_app(client_as, published, coordinator):
    guide = published(title="Indexed guide", language="en")
    client = client_as("coordinator")
    assert coordinator.has_perm("search.view_searchentry")
    assert 'href="/admin/search/searchentry/"' in client.get("/admin/").content.decode()
    assert "Indexed guide" in client.get("/admin/search/searchentry/").content.decode()
    entry = SearchEntry.objects.get(kind="guide", object_id=guide.pk)
    assert client.get(f"/admin/search/searchentry/{entry.pk}/change/").status_code == 200
