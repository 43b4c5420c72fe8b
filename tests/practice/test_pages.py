"""Guide pages: the library, a guide page, writing, my guides, the review queue; the role cast."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from practice import services
from practice.models import Guide, GuideImage, GuideWork
from tests.factories.files import PNG
from tests.factories.network import ThemeFactory, UserFactory
from tests.factories.practice import GuideFactory, GuideWorkFactory, characteristic, make_guide, make_translation

pytestmark = pytest.mark.django_db

INDEX = reverse("practice:index")


def test_the_library_lists_published_guides_only(client_as, organiser, coordinator):
    make_guide(author=organiser, title="Published method", language="en", status=Guide.Status.PUBLISHED)
    make_guide(author=organiser, title="Draft method", language="en")
    make_guide(author=organiser, title="Waiting method", language="en", status=Guide.Status.IN_REVIEW)
    for role in ("anonymous", "organiser", "other_organiser", "coordinator", "funder"):
        html = client_as(role).get(INDEX).content.decode()
        assert "Published method" in html
        assert "Draft method" not in html and "Waiting method" not in html


def test_library_filters(client):
    theme = ThemeFactory(slug="digital-divide", name="Digital divide")
    co_production = characteristic("co-production")
    online = characteristic("online")
    a = GuideFactory(title="Alpha", work=GuideWorkFactory(kind="method", countries=["NL"]))
    a.work.themes.add(theme)
    a.work.characteristics.add(co_production, online)
    b = GuideFactory(title="Bravo", work=GuideWorkFactory(kind="case_study", countries=["SE", "BE"]))
    b.work.characteristics.add(co_production)

    def shown(params):
        return [g.title for g in client.get(INDEX, params).context["guides"]]

    assert shown({"kind": "method"}) == ["Alpha"]
    assert shown({"kind": "case_study"}) == ["Bravo"]
    assert shown({"theme": "digital-divide"}) == ["Alpha"]
    assert shown({"country": "SE"}) == ["Bravo"]
    assert shown({"country": "BE"}) == ["Bravo"]
    assert sorted(shown({"characteristic": "co-production"})) == ["Alpha", "Bravo"]
    assert shown({"characteristic": ["co-production", "online"]}) == ["Alpha"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"kind": "nonsense"},
        {"theme": "no-such-theme"},
        {"country": "ZZ"},
        {"characteristic": "nope"},
        {"language": "de"},
        {"kind": "method\x00"},
        {"theme": "x" * 5000},
    ],
)
def test_malformed_library_parameters_never_500(client, params):
    GuideFactory()
    # A control character in the address gets the 400 page (core.http); other bad values are ignored.
    assert client.get(INDEX, params).status_code == (400 if "\x00" in "".join(params.values()) else 200)


def test_the_library_falls_back_to_the_original_with_a_note(client, organiser, coordinator):
    dutch = make_guide(author=organiser, title="Lerende Gemeenschap", language="nl", status=Guide.Status.PUBLISHED)
    make_translation(dutch, language="en", title="Learning Community", status=Guide.Status.PUBLISHED)
    make_guide(author=organiser, title="Buurtgesprek", language="nl", status=Guide.Status.PUBLISHED)
    response = client.get(INDEX, {"language": "en"})
    shown = [g.title for g in response.context["guides"]]
    assert sorted(shown) == ["Buurtgesprek", "Learning Community"]
    assert "Not yet available in English: shown in its original language (Dutch)." in response.content.decode()
    assert sorted(g.title for g in client.get(INDEX, {"language": "nl"}).context["guides"]) == [
        "Buurtgesprek",
        "Lerende Gemeenschap",
    ]
    # Swedish readers get the originals.
    assert sorted(g.title for g in client.get("/sv/practice/").context["guides"]) == [
        "Buurtgesprek",
        "Lerende Gemeenschap",
    ]


def _library_queries(client, django_assert_max_num_queries, n):
    theme = ThemeFactory(slug="cost-of-living", name="Cost of living")
    for _i in range(n):
        guide = GuideFactory()
        guide.work.themes.add(theme)
    client.get(INDEX)  # warm caches (content types, etc.)


@pytest.mark.parametrize("n", [5, 60])
def test_the_library_runs_a_constant_number_of_queries(client, django_assert_num_queries, n):
    theme = ThemeFactory(slug="cost-of-living", name="Cost of living")
    for _i in range(n):
        guide = GuideFactory()
        guide.work.themes.add(theme)
        guide.work.characteristics.add(characteristic("online"))
    with django_assert_num_queries(9):
        response = client.get(INDEX, {"characteristic": "online", "theme": "cost-of-living"})
    assert len(response.context["guides"]) == min(n, 20)


def test_guide_page_renders_sections_with_a_table_of_contents(client, organiser):
    guide = make_guide(
        author=organiser,
        language="nl",
        status=Guide.Status.PUBLISHED,
        sections={"what": "Intro.\n\n## Wie doet mee\n\nBurgers.", "how": "## Stappen\n\n1. Kies een onderwerp"},
    )
    html = client.get(guide.get_absolute_url()).content.decode()
    assert 'id="what-wie-doet-mee"' in html
    assert 'href="#what-wie-doet-mee"' in html
    assert 'href="#section-how"' in html
    assert "<li>Kies een onderwerp</li>" in html


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<svg onload=alert(1)>",
    '<p onclick="alert(1)">hi</p>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=a></form>',
    "![x](javascript:alert(1))",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_payloads_are_sanitised(client, organiser, payload):
    guide = make_guide(author=organiser, language="en", status=Guide.Status.PUBLISHED, sections={"what": payload})
    html = client.get(guide.get_absolute_url()).content.decode()
    body = html.split('id="section-what-heading"', 1)[1].split("</section>", 1)[0]
    lowered = body.lower()
    for bad in (
        "<script",
        "onerror=",
        "onload=",
        "onclick=",
        "javascript:",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "data:text/html",
        "style=",
    ):
        assert bad not in lowered, (payload, bad, body)


def test_the_page_offers_the_other_languages(client, organiser):
    dutch = make_guide(author=organiser, title="Lerende Gemeenschap", language="nl", status=Guide.Status.PUBLISHED)
    english = make_translation(dutch, language="en", title="Learning Community", status=Guide.Status.PUBLISHED)
    make_translation(dutch, language="sv", title="Lärande gemenskap")  # a draft: not offered to readers
    html = client.get(dutch.get_absolute_url()).content.decode()
    assert f'href="{english.get_absolute_url()}"' in html
    assert "Lärande" not in html


def test_a_translation_is_flagged_outdated_when_its_original_changes(client_as, organiser, coordinator):
    dutch = make_guide(author=organiser, title="Lerende Gemeenschap", language="nl", status=Guide.Status.PUBLISHED)
    english = make_translation(dutch, language="en", title="Learning Community", status=Guide.Status.PUBLISHED)
    assert not Guide.objects.outdated().exists()
    assert "may be outdated" not in client_as("anonymous").get(english.get_absolute_url()).content.decode()
    # Editing the translation does not flag anything; editing the original does.
    services.guide_update(guide=english, user=coordinator, title="Learning Community", sections={"what": "Changed."})
    assert not Guide.objects.outdated().exists()
    services.guide_update(guide=dutch, user=coordinator, title="Lerende Gemeenschap", sections={"what": "Nieuw."})
    assert list(Guide.objects.outdated()) == [english]
    assert "may be outdated" in client_as("anonymous").get(english.get_absolute_url()).content.decode()
    assert "may be outdated" in client_as("coordinator").get(reverse("practice:review_queue")).content.decode()
    admin = client_as("coordinator").get(reverse("admin:practice_guide_changelist"), {"outdated": "yes"})
    assert admin.status_code == 200 and "Learning Community" in admin.content.decode()
    assert "Lerende Gemeenschap" not in admin.content.decode().split('id="result_list"')[1]
    # The translator brings it up to date.
    services.guide_update(
        guide=english, user=coordinator, title="Learning Community", sections={"what": "New."}, synced=True
    )
    assert not Guide.objects.outdated().exists()


def test_saving_the_original_without_changes_does_not_flag_translations(organiser, coordinator):
    dutch = make_guide(author=organiser, language="nl", status=Guide.Status.PUBLISHED)
    make_translation(dutch, language="en", status=Guide.Status.PUBLISHED)
    services.guide_update(
        guide=dutch, user=coordinator, title=dutch.title, summary=dutch.summary, sections=dutch.sections
    )
    assert not Guide.objects.outdated().exists()


def test_writing_a_guide_shows_the_sections_of_its_kind(client_as):
    client = client_as("organiser")
    method = client.get(reverse("practice:guide_create", kwargs={"kind": "method"})).content.decode()
    case = client.get(reverse("practice:guide_create", kwargs={"kind": "case_study"})).content.decode()
    assert "How it works" in method and "When to use it and when not" in method
    assert "How coordination across borders worked" not in method
    assert "How coordination across borders worked" in case and "Problem and purpose" in case
    assert "Steps, roles, group size, duration and the facilitation it needs." in method
    assert client.get(reverse("practice:guide_create", kwargs={"kind": "poem"})).status_code == 404


def test_an_organiser_writes_a_guide_over_http(client_as, organiser):
    theme = ThemeFactory(slug="housing", name="Housing")
    response = client_as("organiser").post(
        reverse("practice:guide_create", kwargs={"kind": "method"}),
        {
            "language": "en",
            "title": "Door-knocking",
            "summary": "Meet neighbours where they live.",
            "section_what": "Knock on doors.",
            "section_how": "## Steps\n\nPlan the route.",
            "characteristics": [characteristic("in-person").pk],
            "themes": [theme.pk],
            "countries": ["SE", "NL"],
            "licence": "CC-BY-SA-4.0",
        },
    )
    assert response.status_code == 302
    guide = Guide.objects.get(title="Door-knocking")
    assert guide.status == Guide.Status.DRAFT and guide.created_by == organiser
    assert guide.sections == {"what": "Knock on doors.", "how": "## Steps\n\nPlan the route."}
    assert [c.code for c in guide.work.countries] == ["SE", "NL"] or sorted(c.code for c in guide.work.countries) == [
        "NL",
        "SE",
    ]
    assert list(guide.work.themes.all()) == [theme]
    assert guide.work.licence == "CC-BY-SA-4.0"
    assert guide.authors.get() == organiser.member
    response = client_as("organiser").post(reverse("practice:guide_submit", kwargs={"slug": guide.slug}))
    guide.refresh_from_db()
    assert guide.status == Guide.Status.IN_REVIEW


def test_the_default_licence_of_a_new_guide_is_cc_by():
    assert GuideWork().licence == "CC-BY-4.0"


@pytest.mark.parametrize("title", ["Bad\x00title", "x" * 201])
def test_writing_rejects_bad_input(client_as, title):
    response = client_as("organiser").post(
        reverse("practice:guide_create", kwargs={"kind": "method"}), {"language": "en", "title": title}
    )
    assert response.status_code == 200
    assert not Guide.objects.exists()


def test_the_permission_cast_on_a_draft(client_as, organiser):
    guide = make_guide(author=organiser)
    detail = guide.get_absolute_url()
    edit = reverse("practice:guide_edit", kwargs={"slug": guide.slug})
    expected = {
        "anonymous": (404, 302),
        "organiser": (200, 200),
        "other_organiser": (404, 404),
        "coordinator": (200, 200),
        "funder": (404, 404),
    }
    for role, (detail_status, edit_status) in expected.items():
        client = client_as(role)
        assert client.get(detail).status_code == detail_status, role
        assert client.get(edit).status_code == edit_status, role


def test_the_permission_cast_on_a_published_guide(client_as, organiser):
    guide = make_guide(author=organiser, status=Guide.Status.PUBLISHED)
    edit = reverse("practice:guide_edit", kwargs={"slug": guide.slug})
    expected_edit = {"anonymous": 302, "organiser": 403, "other_organiser": 403, "coordinator": 200, "funder": 403}
    for role, status in expected_edit.items():
        client = client_as(role)
        assert client.get(guide.get_absolute_url()).status_code == 200, role
        assert client.get(edit).status_code == status, role


def test_the_permission_cast_on_pages(client_as):
    pages = {
        reverse("practice:index"): {"anonymous": 200, "organiser": 200, "coordinator": 200, "funder": 200},
        reverse("practice:my_guides"): {"anonymous": 302, "organiser": 200, "coordinator": 200, "funder": 200},
        reverse("practice:review_queue"): {"anonymous": 302, "organiser": 403, "coordinator": 200, "funder": 403},
        reverse("practice:guide_create_choose"): {"anonymous": 302, "organiser": 200, "funder": 200},
        reverse("practice:joint_action_list"): {"anonymous": 200, "organiser": 200, "funder": 200},
        reverse("search:index"): {"anonymous": 200, "organiser": 200},
        "/": {"anonymous": 200},
    }
    for url, by_role in pages.items():
        for role, status in by_role.items():
            assert client_as(role).get(url).status_code == status, (url, role)


def test_my_guides_lists_only_my_own(client_as, organiser, other_organiser):
    make_guide(author=organiser, title="Mine")
    make_guide(author=other_organiser, title="Theirs")
    html = client_as("organiser").get(reverse("practice:my_guides")).content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_the_review_queue_lists_guides_in_review(client_as, organiser):
    make_guide(author=organiser, title="Ready for review", status=Guide.Status.IN_REVIEW)
    make_guide(author=organiser, title="Still a draft")
    html = client_as("coordinator").get(reverse("practice:review_queue")).content.decode()
    assert "Ready for review" in html and "Still a draft" not in html
    admin = client_as("coordinator").get(reverse("admin:practice_guide_changelist"), {"status__exact": "in_review"})
    assert "Ready for review" in admin.content.decode()


def test_the_admin_publish_action(client_as, organiser, coordinator):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    client_as("coordinator").post(
        reverse("admin:practice_guide_changelist"), {"action": "publish", "_selected_action": [guide.pk]}
    )
    guide.refresh_from_db()
    assert guide.status == Guide.Status.PUBLISHED and guide.reviewed_by == coordinator


def test_a_translation_over_http(client_as, organiser, other_organiser):
    dutch = make_guide(author=organiser, title="Lerende Gemeenschap", language="nl", status=Guide.Status.PUBLISHED)
    url = reverse("practice:guide_translate", kwargs={"slug": dutch.slug})
    assert client_as("anonymous").get(url).status_code == 302
    response = client_as("other_organiser").post(
        url, {"language": "en", "title": "Learning Community", "section_what": "A group."}
    )
    assert response.status_code == 302
    english = Guide.objects.get(language="en")
    assert english.work == dutch.work and english.created_by == other_organiser
    assert english.status == Guide.Status.DRAFT
    # The same language twice is not offered again.
    response = client_as("other_organiser").post(url, {"language": "en", "title": "Again"})
    assert Guide.objects.filter(language="en").count() == 1


def test_images_need_alt_text_and_must_be_images(client_as, organiser, tmp_path):
    guide = make_guide(author=organiser)
    url = reverse("practice:guide_image_add", kwargs={"slug": guide.slug})
    with override_settings(MEDIA_ROOT=tmp_path):
        client = client_as("organiser")
        client.post(url, {"file": SimpleUploadedFile("a.png", PNG, "image/png"), "alt_text": ""})
        assert not GuideImage.objects.exists()
        client.post(url, {"file": SimpleUploadedFile("a.png", b"<html>not an image", "image/png"), "alt_text": "x"})
        assert not GuideImage.objects.exists()
        client.post(url, {"file": SimpleUploadedFile("a.png", PNG, "image/png"), "alt_text": "A meeting in Hjällbo"})
        assert GuideImage.objects.get().alt_text == "A meeting in Hjällbo"
        with override_settings(MAX_UPLOAD_SIZE=10):
            client.post(url, {"file": SimpleUploadedFile("b.png", PNG, "image/png"), "alt_text": "Too big"})
        assert GuideImage.objects.count() == 1
        assert (
            client_as("other_organiser")
            .post(url, {"file": SimpleUploadedFile("c.png", PNG, "image/png"), "alt_text": "x"})
            .status_code
            == 404
        )
        html = client_as("organiser").get(guide.get_absolute_url()).content.decode()
        assert 'alt="A meeting in Hjällbo"' in html


def test_the_home_page_shows_new_guides(client, organiser):
    make_guide(author=organiser, title="Fresh method", language="en", status=Guide.Status.PUBLISHED)
    make_guide(author=organiser, title="Unpublished method", language="en")
    html = client.get("/").content.decode()
    assert "Fresh method" in html and "Unpublished method" not in html


def test_a_guide_page_stays_within_a_query_budget(client, organiser, django_assert_max_num_queries):
    dutch = make_guide(
        author=organiser,
        language="nl",
        status=Guide.Status.PUBLISHED,
        themes=[ThemeFactory(slug="housing")],
        countries=["NL"],
    )
    make_translation(dutch, language="en", status=Guide.Status.PUBLISHED)
    with django_assert_max_num_queries(12):
        assert client.get(dutch.get_absolute_url()).status_code == 200


def test_unknown_guides_are_404(client):
    assert client.get(reverse("practice:guide_detail", kwargs={"slug": "nope"})).status_code == 404
    assert UserFactory  # keeps the factory import used


def test_the_admin_returns_guides_with_a_comment(client_as, organiser):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    client = client_as("coordinator")
    url = reverse("admin:practice_guide_changelist")
    page = client.post(url, {"action": "return_to_authors", "_selected_action": [guide.pk]})
    assert page.status_code == 200 and "Comment for the authors" in page.content.decode()
    guide.refresh_from_db()
    assert guide.status == Guide.Status.IN_REVIEW
    client.post(
        url,
        {"action": "return_to_authors", "_selected_action": [guide.pk], "apply": "1", "comment": "Add sources."},
    )
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT and guide.review_comment == "Add sources."


def test_links_are_pasted_as_addresses_and_shown_as_informed_by_and_used_in(client_as, organiser):
    import datetime as dt

    from django.utils import timezone

    from evidence.models import EvidenceRecord
    from exchanges.models import Exchange

    case = make_guide(author=organiser, title="Hellendoorn case", language="nl", status=Guide.Status.PUBLISHED)
    # An outcome statement: stories would also need a consent record to be visible.
    record = EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME,
        title="Residents' own account",
        status=EvidenceRecord.Status.PUBLISHED,
        visibility="public",
    )
    now = timezone.now()
    exchange = Exchange.objects.create(
        title="Exchange in Bergsjön",
        slug="bergsjon",
        status=Exchange.Status.PUBLISHED,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
    )
    hidden = EvidenceRecord.objects.create(title="Unpublished", visibility="public")
    url = reverse("practice:guide_create", kwargs={"kind": "method"})
    base = {"language": "en", "title": "Learning community method", "section_what": "x", "licence": "CC-BY-SA-4.0"}
    client = client_as("organiser")
    response = client.post(url, {**base, "links": f"http://testserver/evidence/{hidden.pk}/\nnonsense"})
    assert response.status_code == 200 and "Not a guide, evidence record or exchange you can see" in (
        response.content.decode()
    )
    links = f"https://learninglab.example/nl/practice/guides/{case.slug}/\n/evidence/{record.pk}/\n/exchanges/bergsjon/"
    assert client.post(url, {**base, "links": links}).status_code == 302
    guide = Guide.objects.get(title="Learning community method")
    assert list(guide.work.related_guides.all()) == [case.work]
    assert list(guide.work.evidence_records.all()) == [record]
    assert list(guide.work.exchanges.all()) == [exchange]
    html = client.get(guide.get_absolute_url()).content.decode()
    informed, used = html.split("Informed by", 1)[1].split("Used in", 1)
    assert "Hellendoorn case" in informed and "Residents&#x27; own account" in informed
    assert "Exchange in Bergsjön" in used
    # Once published, the case study lists the method as a guide that uses it.
    services.guide_publish(guide=guide, user=UserFactory(role="coordinator"))
    assert "Learning community method" in client.get(case.get_absolute_url()).content.decode().split("Used in")[1]
    # The edit form (a coordinator's, now that it is published) shows the current links.
    edit = client_as("coordinator").get(reverse("practice:guide_edit", kwargs={"slug": guide.slug})).content.decode()
    assert f"/practice/guides/{case.slug}/" in edit and f"/evidence/{record.pk}/" in edit
