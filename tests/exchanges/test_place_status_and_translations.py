"""One wording of places, waitlist and the sign-up action on every page (Exchange.place_status),
and exchanges in Swedish and Dutch (ExchangeTranslation through Exchange.text)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from core.policy import Audience, representative
from exchanges import services
from exchanges.models import Exchange, ExchangeTranslation, Registration
from exchanges.views import _results
from search.models import SearchEntry
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory, SessionFactory
from tests.factories.network import OrganisationFactory, ThemeFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State
LIST = reverse("exchanges:index")
HOME = reverse("home")


def _detail(exchange):
    return exchange.get_absolute_url()


def _get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _in_language(language, url_name, **kwargs):
    with translation.override(language):
        return reverse(url_name, kwargs=kwargs or None)


def _place_texts(html: str) -> set[str]:
    return set(re.findall(r'<p class="place-status[^"]*">([^<]*)</p>', html))


def _actions(html: str) -> set[str]:
    """The sign-up actions offered: buttons to the sign-up form, links from cards to it."""
    return set(re.findall(r'<a class="button" href="[^"]*/(?:register|login)/[^"]*">([^<]*)</a>', html)) | set(
        re.findall(r'<p class="place-action"><a href="[^"]*">([^<]*)</a></p>', html)
    )


# --- one wording of places and the action --------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "organiser"])
def test_a_full_exchange_with_a_waitlist_says_join_the_waitlist_on_detail_list_and_home(client_as, role):
    exchange = ExchangeFactory(title="Full online exchange", capacity=1)
    RegistrationFactory(exchange=exchange)
    client = client_as(role)
    pages = {"detail": _get(client, _detail(exchange)), "list": _get(client, LIST), "home": _get(client, HOME)}
    expected = "Log in to join the waitlist" if role == "anonymous" else "Join the waitlist"
    for name, body in pages.items():
        # The same words for places everywhere, and the action never "Sign up".
        assert _place_texts(body) == {"Full – waitlist open"}, name
        actions = _actions(body)
        assert actions, name
        assert not {a for a in actions if "Sign up" in a or "sign up" in a}, (name, actions)
        assert "Join the waitlist" in actions or expected in actions, (name, actions)
    assert expected in _actions(pages["detail"])
    assert "0 places left" not in pages["home"] and "0 of 1" not in pages["detail"]


def test_an_exchange_with_places_says_the_same_number_everywhere_and_sign_up(client_as):
    exchange = ExchangeFactory(capacity=5)
    RegistrationFactory(exchange=exchange)
    client = client_as("organiser")
    for url in (_detail(exchange), LIST, HOME):
        body = _get(client, url)
        assert _place_texts(body) == {"4 places left"}, url
        assert _actions(body) == {"Sign up"}, url


def test_a_full_exchange_without_a_waitlist_offers_no_action(client_as):
    exchange = ExchangeFactory(capacity=1, waitlist_enabled=False)
    RegistrationFactory(exchange=exchange)
    client = client_as("organiser")
    for url in (_detail(exchange), LIST, HOME):
        body = _get(client, url)
        assert "Full" in _place_texts(body), url
        assert _actions(body) == set(), url


def test_an_application_exchange_says_apply(client_as):
    exchange = ExchangeFactory(signup_mode=Exchange.SignupMode.APPLICATION, capacity=20)
    member = client_as("organiser")
    for url in (_detail(exchange), LIST, HOME):
        assert _actions(_get(member, url)) == {"Apply"}, url
    detail = _get(member, _detail(exchange))
    assert "The coordinators select the participants" in detail
    form = _get(member, reverse("exchanges:register", kwargs={"slug": exchange.slug}))
    assert "Apply: " in form and "Send my application" in form
    assert "Log in to apply" in _get(Client(), _detail(exchange))


def test_a_full_exchange_sign_up_form_says_join_the_waitlist(client_as):
    exchange = ExchangeFactory(capacity=1)
    RegistrationFactory(exchange=exchange)
    form = _get(client_as("organiser"), reverse("exchanges:register", kwargs={"slug": exchange.slug}))
    assert "<h1>Join the waitlist: " in form
    assert re.search(r'<button type="submit">Join the waitlist</button>', form)
    assert "Sign up" not in form.split("</header>", 1)[-1]


def test_a_confirmed_member_sees_you_are_confirmed_and_the_cancel_link(client, organiser):
    exchange = ExchangeFactory(capacity=1)
    services.registration_create(exchange=exchange, user=organiser)
    client.force_login(organiser)
    body = _get(client, _detail(exchange))
    assert "You’re confirmed" in body
    assert reverse("exchanges:cancel", kwargs={"slug": exchange.slug}) in body
    # No sign-up action for someone who already has the place, on the list or the home page.
    assert _actions(body) == set()
    for url in (LIST, HOME):
        page = _get(client, url)
        assert "You: confirmed" in page and _actions(page) == set()


def test_a_waitlisted_member_sees_their_place_in_line(client, organiser):
    exchange = ExchangeFactory(capacity=1)
    RegistrationFactory(exchange=exchange)
    services.registration_create(exchange=exchange, user=organiser)
    client.force_login(organiser)
    body = _get(client, _detail(exchange))
    assert "You’re on the waitlist" in body and "You are number 1 in line." in body
    assert "Leave the waitlist" in body and _actions(body) == set()


def test_a_started_exchange_offers_no_action_and_says_why(client_as):
    exchange = ExchangeFactory(starts_at=timezone.now() - timedelta(hours=1), capacity=5)
    body = _get(client_as("organiser"), _detail(exchange))
    assert "This exchange has already started or taken place." in body and _actions(body) == set()
    assert _actions(_get(client_as("organiser"), LIST)) == set()


def test_the_cached_list_holds_only_until_a_cards_sign_up_wording_changes():
    closes = timezone.now() + timedelta(hours=1)
    exchange = ExchangeFactory(capacity=5, registration_closes_at=closes)
    results = _results(RequestFactory().get(LIST), representative(Audience.PUBLIC), past=False)
    assert results.valid_until == closes + timedelta(microseconds=1)
    assert exchange.place_status(now=closes + timedelta(seconds=1)).action is None
    assert exchange.place_status(now=closes - timedelta(seconds=1)).action == "Sign up"


# --- the page's parts -------------------------------------------------------------------------


def test_key_facts_panel_lists_hosts_languages_places_and_sign_up(client):
    exchange = ExchangeFactory(capacity=8, working_languages=["sv", "en"], interpretation=True)
    exchange.hosts.add(OrganisationFactory(name="Navet i Bergsjön"))
    body = _get(client, _detail(exchange))
    facts = body.split('<dl class="facts-panel">', 1)[1].split("</dl>", 1)[0]
    for text in ("When", "Format", "Working languages", "Swedish", "interpretation offered", "Places", "8 places left"):
        assert text in facts, text
    assert "8 places in all" in facts and "Sign-up" in facts and "Navet i Bergsjön" in facts


def test_the_programme_is_an_agenda_by_day_with_the_viewers_time_beside(client, organiser):
    start = (timezone.now() + timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    exchange = ExchangeFactory(
        kind=Exchange.Kind.GATHERING, time_zone="Europe/Stockholm", starts_at=start, ends_at=start + timedelta(days=2)
    )
    SessionFactory(exchange=exchange, title="Opening circle", starts_at=start, ends_at=start + timedelta(hours=2))
    SessionFactory(
        exchange=exchange,
        title="Power mapping",
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=3),
    )
    anonymous = _get(client, _detail(exchange))
    assert anonymous.count('<h3 class="agenda-day">') == 2
    assert "your time" not in anonymous.split('class="agenda"', 1)[1]
    member_for(organiser, time_zone="America/New_York")
    client.force_login(organiser)
    body = _get(client, _detail(exchange))
    agenda = body.split('class="agenda"', 1)[1]
    assert "Opening circle" in agenda and "Power mapping" in agenda
    assert "your time" in agenda and "(America/New_York)" in agenda
    # The exchange's own time stays first in the facts, the viewer's beside it.
    facts = body.split('<dl class="facts-panel">', 1)[1].split("</dl>", 1)[0]
    assert facts.index("(Europe/Stockholm)") < facts.index("your time") < facts.index("(America/New_York)")


# --- translations -------------------------------------------------------------------------------


@pytest.fixture
def translated():
    exchange = ExchangeFactory(title="Organising around the cost of living", summary="Rising bills and rents.")
    ExchangeTranslation.objects.create(
        exchange=exchange,
        language="sv",
        title="Att organisera sig kring levnadskostnaderna",
        summary="Stigande räkningar och hyror.",
        description="Vi träffas **online**.",
    )
    ExchangeTranslation.objects.create(exchange=exchange, language="nl", title="Organiseren rond de kosten")
    return exchange


def test_the_swedish_pages_show_the_swedish_title_and_summary(client, translated):
    detail = _get(client, _in_language("sv", "exchanges:detail", slug=translated.slug))
    assert "<h1>Att organisera sig kring levnadskostnaderna</h1>" in detail
    assert "Stigande räkningar och hyror." in detail and "<strong>online</strong>" in detail
    for url in (_in_language("sv", "exchanges:index"), _in_language("sv", "home")):
        body = _get(client, url)
        assert "Att organisera sig kring levnadskostnaderna" in body
        assert "Organising around the cost of living" not in body
    english = _get(client, _in_language("en", "exchanges:detail", slug=translated.slug))
    assert "Organising around the cost of living" in english and "levnadskostnaderna" not in english


def test_a_missing_translation_falls_back_to_the_original(client, translated):
    # Dutch: a title but no summary; the summary and description are the original's.
    dutch = _get(client, _in_language("nl", "exchanges:detail", slug=translated.slug))
    assert "Organiseren rond de kosten" in dutch and "Rising bills and rents." in dutch
    other = ExchangeFactory(title="Only in English")
    assert "Only in English" in _get(client, _in_language("sv", "exchanges:detail", slug=other.slug))
    assert "Only in English" in _get(client, _in_language("sv", "exchanges:index"))


def test_a_new_translation_shows_on_the_next_load_of_cached_pages(client):
    exchange = ExchangeFactory(title="Tenants online")
    swedish_list = _in_language("sv", "exchanges:index")
    assert "Hyresgäster online" not in _get(client, swedish_list)
    ExchangeTranslation.objects.create(exchange=exchange, language="sv", title="Hyresgäster online")
    assert "Hyresgäster online" in _get(client, swedish_list)
    assert "Hyresgäster online" in _get(client, _in_language("sv", "exchanges:detail", slug=exchange.slug))


def test_search_finds_an_exchange_by_its_swedish_title(client, translated):
    entry = SearchEntry.objects.get(kind="exchange", object_id=translated.pk)
    assert "levnadskostnaderna" in entry.body
    response = client.get(reverse("search:index"), {"q": "levnadskostnaderna"})
    assert [hit.object_id for hit in response.context["results"].hits] == [translated.pk]
    # A hit is listed under the title of the reader's language.
    swedish = client.get(_in_language("sv", "search:index"), {"q": "levnadskostnaderna"})
    assert swedish.context["results"].hits[0].title == "Att organisera sig kring levnadskostnaderna"
    # Deleting the translation takes its words out of the index.
    translated.translations.filter(language="sv").delete()
    response = client.get(reverse("search:index"), {"q": "levnadskostnaderna"})
    assert response.context["results"].hits == []


def test_emails_and_calendar_files_are_in_the_members_language(translated, django_capture_on_commit_callbacks):
    user = UserFactory()
    member_for(user, preferred_language="sv")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(exchange=translated, user=user)
    message = mail.outbox[-1]
    assert "Att organisera sig kring levnadskostnaderna" in message.subject
    assert "Att organisera sig kring levnadskostnaderna" in message.body
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Att organisera sig kring levnadskostnaderna"
    # The calendar download speaks the page's language.
    body = Client().get(_in_language("sv", "exchanges:calendar", slug=translated.slug)).content
    assert str(Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"]) == "Att organisera sig kring levnadskostnaderna"


def test_one_translation_per_language():
    exchange = ExchangeFactory()
    ExchangeTranslation.objects.create(exchange=exchange, language="sv", title="En")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeTranslation.objects.create(exchange=exchange, language="sv", title="Två")


@pytest.mark.parametrize("n", [5, 40])
def test_the_swedish_list_and_home_page_stay_at_a_constant_query_count(client_as, django_assert_max_num_queries, n):
    theme, host = ThemeFactory(), OrganisationFactory()
    for i in range(n):
        exchange = ExchangeFactory()
        exchange.themes.add(theme)
        exchange.hosts.add(host)
        ExchangeTranslation.objects.create(exchange=exchange, language="sv", title=f"Utbyte {i}", summary="Kort.")
        RegistrationFactory(exchange=exchange)
    client = client_as("organiser")
    with django_assert_max_num_queries(12):
        body = _get(client, _in_language("sv", "exchanges:index"))
    assert "Utbyte 0" in body
    with django_assert_max_num_queries(12):
        assert "Utbyte" in _get(client, _in_language("sv", "home"))


def test_my_exchanges_lists_titles_in_the_pages_language_at_constant_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    member_for(user)
    client.force_login(user)
    url = _in_language("sv", "exchanges:mine")

    def registrations(first, last):
        for i in range(first, last + 1):
            exchange = ExchangeFactory(title=f"Tenants online {i}")
            ExchangeTranslation.objects.create(exchange=exchange, language="sv", title=f"Hyresgäster online {i}")
            RegistrationFactory(exchange=exchange, user=user)

    registrations(0, 1)
    with CaptureQueriesContext(connection) as few:
        html = _get(client, url)
    assert "Hyresgäster online 1" in html and "Tenants online 1" not in html
    registrations(2, 7)
    with CaptureQueriesContext(connection) as many:
        html = _get(client, url)
    assert "Hyresgäster online 7" in html
    assert len(many) == len(few)


def test_exchanges_named_on_guide_joint_action_and_my_evidence_pages_read_in_the_pages_language(client):
    from practice.models import Guide
    from tests.factories.exchanges import ReflectionFactory
    from tests.factories.practice import JointActionFactory, make_guide

    exchange = ExchangeFactory(title="Tenants online")
    ExchangeTranslation.objects.create(exchange=exchange, language="sv", title="Hyresgäster online")
    action = JointActionFactory()
    action.exchanges.add(exchange)
    guide = make_guide(title="Listening campaigns", language="en", status=Guide.Status.PUBLISHED)
    guide.work.exchanges.add(exchange)
    user = UserFactory()
    member_for(user)
    ReflectionFactory(registration=RegistrationFactory(exchange=exchange, user=user))
    client.force_login(user)
    for url in (
        f"/sv{action.get_absolute_url()}",
        f"/sv{guide.get_absolute_url()}",
        "/sv/evidence/mine/",
    ):
        html = _get(client, url)
        assert "Hyresgäster online" in html and "Tenants online" not in html, url
