"""The coordinator's exchange admin at size: the change form of a large exchange, the
registrations list with answers, the search-box filters and plural-correct messages."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from exchanges.admin import _ChosenMembersWidget, _QuickAutocompleteSelect
from exchanges.models import Exchange, Registration, Session
from network.models import Member, User
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory, SessionFactory
from tests.factories.network import UserFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State


def _exchange_with(n_sessions: int, n_registrations: int, **fields) -> Exchange:
    """An exchange with ``n_sessions`` sessions (two facilitators each) and ``n_registrations``
    registrations in several states, inserted in bulk."""
    exchange = ExchangeFactory(capacity=n_registrations, **fields)
    for n in range(n_sessions):
        session = SessionFactory(exchange=exchange, title=f"Session {n}")
        session.facilitators.set([UserFactory().member, UserFactory().member])
    tag = exchange.slug
    users = User.objects.bulk_create(
        [User(email=f"{tag}-{n}@example.org", password="!") for n in range(n_registrations)]  # noqa: S106
    )
    states = [State.CONFIRMED, State.WAITLISTED, State.APPLIED]
    Registration.objects.bulk_create(
        [
            Registration(
                exchange=exchange,
                user=user,
                state=states[n % 3],
                waitlist_position=n if states[n % 3] == State.WAITLISTED else None,
                hope_to_learn=f"Answer {n}",
            )
            for n, user in enumerate(users)
        ]
    )
    return exchange


def _change_form(client, exchange):
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    client.get(url)  # warm-up: the session, permissions and templates are loaded once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_change_form_of_a_large_exchange_takes_the_same_few_queries_and_no_registration_rows(client_as):
    client = client_as("coordinator")
    _small_page, small = _change_form(client, _exchange_with(1, 3))
    page, large = _change_form(client, _exchange_with(8, 300))
    assert large == small
    assert large <= 15
    body = page.content.decode()
    assert "registrations-TOTAL_FORMS" not in body
    assert body.count('name="sessions-') > 8 * 5  # eight editable session rows
    # The registrations are linked, with their counts, to their own filtered list.
    exchange = page.context["original"]
    assert "300 registrations" in body
    assert f"exchange__id__exact={exchange.pk}" in body
    assert "100 waitlisted" in body and "100 confirmed" in body


def test_change_form_counts_each_state_of_an_exchange_with_sessions_and_no_one_else(client_as):
    # Counted in one join over the registrations: the sessions (and their facilitators) of the
    # exchange, and the registrations of another exchange, count nothing.
    exchange = _exchange_with(3, 0)
    _exchange_with(1, 4)
    for state in [State.CONFIRMED, State.ATTENDED, State.OFFERED, State.WAITLISTED, State.APPLIED, State.DECLINED]:
        RegistrationFactory(exchange=exchange, state=state)
    body = client_as("coordinator").get(reverse("admin:exchanges_exchange_change", args=[exchange.pk])).content
    body = body.decode()
    assert "6 registrations" in body
    for shown in ["2 confirmed", "1 place offered", "1 waitlisted", "1 applied, waiting for a decision"]:
        assert shown in body


@pytest.mark.parametrize("object_id", ["999999999", "not-a-number"])
def test_change_form_of_a_missing_exchange_goes_back_to_the_admin(client_as, object_id):
    response = client_as("coordinator").get(f"/admin/exchanges/exchange/{object_id}/change/")
    assert response.status_code == 302


def test_history_and_delete_pages_of_an_exchange_open(client_as):
    exchange = _exchange_with(1, 2)
    client = client_as("coordinator")
    for page in ["history", "delete"]:
        assert client.get(reverse(f"admin:exchanges_exchange_{page}", args=[exchange.pk])).status_code == 200


def test_facilitators_are_picked_by_autocomplete_without_listing_every_member(client_as):
    exchange = ExchangeFactory()
    session = SessionFactory(exchange=exchange)
    chosen = member_for(UserFactory(), display_name="Chosen Facilitator")
    member_for(UserFactory(), display_name="Someone Else Entirely")
    session.facilitators.set([chosen])
    response = client_as("coordinator").get(reverse("admin:exchanges_exchange_change", args=[exchange.pk]))
    body = response.content.decode()
    assert 'data-field-name="facilitators"' in body and "admin-autocomplete" in body
    assert "Chosen Facilitator" in body
    assert "Someone Else Entirely" not in body


def test_a_session_with_a_facilitator_is_added_from_the_exchange_form(client_as):
    exchange = ExchangeFactory()
    facilitator = member_for(UserFactory(), display_name="New Facilitator")
    client = client_as("coordinator")
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    form = client.get(url).context["adminform"].form
    # An empty file input (the cover image) posts nothing.
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and not isinstance(value, File)
    }
    for name in ("hosts", "partners", "themes"):
        data[name] = [o.pk for o in data.get(name, [])]
    for name in ("starts_at", "ends_at"):
        value = timezone.localtime(getattr(exchange, name))
        data.pop(name, None)
        data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    start = timezone.localtime(exchange.starts_at)
    data.update(
        {
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "0",
            "sessions-0-title": "Opening circle",
            "sessions-0-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-facilitators": [facilitator.pk],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    session = Session.objects.get(exchange=exchange)
    assert session.title == "Opening circle"
    assert list(session.facilitators.all()) == [facilitator]


def test_registrations_list_shows_answers_and_filters_by_exchange(client_as):
    one, other = ExchangeFactory(title="Housing exchange"), ExchangeFactory(title="Climate exchange")
    mine = RegistrationFactory(
        exchange=one, hope_to_learn="How to run house meetings", will_bring="Our rent strike", access_needs="Ramp"
    )
    RegistrationFactory(exchange=other, hope_to_learn="Something else")
    url = reverse("admin:exchanges_registration_changelist")
    response = client_as("coordinator").get(url, {"exchange__id__exact": one.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    body = response.content.decode()
    assert "How to run house meetings" in body and "Our rent strike" in body and "Ramp" in body
    assert "Something else" not in body
    # The exchange filter is one search box holding the chosen exchange, not a list of them all.
    assert 'name="exchange__id__exact"' in body and 'data-field-name="exchange"' in body
    assert "Housing exchange</option>" in body and "Climate exchange" not in body


def test_registrations_list_queries_do_not_grow_with_rows(client_as):
    client = client_as("coordinator")
    url = reverse("admin:exchanges_registration_changelist")
    small, large = _exchange_with(0, 3), _exchange_with(0, 90)
    counts = []
    for exchange in (small, large):
        client.get(url, {"exchange__id__exact": exchange.pk})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"exchange__id__exact": exchange.pk})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_exchange_filter_autocomplete_answers_matching_exchanges(client_as):
    ExchangeFactory(title="Housing exchange in Göteborg")
    ExchangeFactory(title="Climate exchange")
    response = client_as("coordinator").get(
        reverse("admin:autocomplete"),
        {"app_label": "exchanges", "model_name": "registration", "field_name": "exchange", "term": "housing"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Housing exchange in Göteborg"]


def test_country_filter_is_one_search_box_of_the_countries_in_use_and_filters(client_as):
    swedish = ExchangeFactory(country="SE", format=Exchange.Format.IN_PERSON)
    ExchangeFactory(country="NL", format=Exchange.Format.IN_PERSON)
    url = reverse("admin:exchanges_exchange_changelist")
    client = client_as("coordinator")
    body = client.get(url).content.decode()
    start = body.index('<select name="country__exact"')
    select = body[start : body.index("</select>", start)]
    assert "ll-search-select" in select
    assert select.count("<option") == 3  # all, the Netherlands, Sweden; not 250 countries
    assert "?country__exact=" not in body  # no link per country
    assert "admin/js/vendor/select2/select2.full.js" in body
    response = client.get(url, {"country__exact": "SE"})
    assert list(response.context["cl"].result_list) == [swedish]
    # The other parameters survive a new choice of country (hidden fields of the filter's form).
    body = client.get(url, {"q": "exchange", "status__exact": "published"}).content.decode()
    assert '<input type="hidden" name="q" value="exchange">' in body


def test_exchange_change_list_shows_every_count_without_n_plus_one(client_as):
    client = client_as("coordinator")
    url = reverse("admin:exchanges_exchange_changelist")
    _exchange_with(0, 6)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        _exchange_with(1, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(few) == len(many)
    body = response.content.decode()
    assert "confirmed / capacity" in body.lower()
    # Two of six confirmed, linked to those registrations; two waitlisted and two applied.
    assert ">2</a>\u00a0/\u00a06" in body
    assert "state__in=waitlisted" in body and "state__in=applied" in body


def _action(client, prefix, model, action, objects):
    url = reverse(f"admin:exchanges_{model}_changelist")
    if prefix:
        url = f"/{prefix}{url}"
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects]}, follow=True)


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("n", [1, 2])
def test_action_messages_are_in_the_right_plural(client_as, language, n):
    exchange = ExchangeFactory(signup_mode=Exchange.SignupMode.APPLICATION, capacity=5)
    applicants = [RegistrationFactory(exchange=exchange, state=State.APPLIED) for _ in range(n)]
    prefix = "" if language == "en" else language
    response = _action(client_as("coordinator"), prefix, "registration", "accept_applications", applicants)
    shown = [str(m) for m in response.context["messages"]]
    with translation.override(language):
        expected = ngettext("%(count)d application accepted.", "%(count)d applications accepted.", n) % {"count": n}
    assert shown == [expected]
    if language == "en":
        assert shown == ["1 application accepted." if n == 1 else "2 applications accepted."]


@pytest.mark.parametrize("n", [1, 2])
def test_membership_decisions_message_in_the_right_plural(client_as, n):
    from network.models import Membership
    from tests.factories.network import MembershipFactory, OrganisationFactory

    organisation = OrganisationFactory()
    requests = [
        MembershipFactory(member=UserFactory().member, organisation=organisation, state=Membership.State.REQUESTED)
        for _ in range(n)
    ]
    response = client_as("coordinator").post(
        reverse("admin:network_membership_changelist"),
        {"action": "approve_requests", ACTION_CHECKBOX_NAME: [m.pk for m in requests]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["1 request decided." if n == 1 else "2 requests decided."]


def test_only_members_of_the_exchange_count_in_the_registration_link(client_as):
    exchange = _exchange_with(0, 4)
    _exchange_with(0, 5)
    body = client_as("coordinator").get(reverse("admin:exchanges_exchange_change", args=[exchange.pk])).content
    assert b"4 registrations" in body


def test_the_member_column_names_the_member(client_as):
    registration = RegistrationFactory()
    member_for(registration.user, display_name="Amina Yusuf")
    assert Member.objects.filter(display_name="Amina Yusuf").exists()
    body = client_as("coordinator").get(reverse("admin:exchanges_registration_changelist")).content.decode()
    assert "Amina Yusuf" in body and registration.user.email in body


@pytest.mark.parametrize("n", [1, 2])
def test_evidence_actions_message_in_the_right_plural(client_as, n):
    from evidence.models import EvidenceRecord
    from tests.factories.evidence import EvidenceRecordFactory

    records = [EvidenceRecordFactory(visibility=EvidenceRecord.Visibility.NETWORK) for _ in range(n)]
    response = client_as("coordinator").post(
        reverse("admin:evidence_evidencerecord_changelist"),
        {"action": "visibility_funders", ACTION_CHECKBOX_NAME: [r.pk for r in records]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Visibility set on 1 record." if n == 1 else "Visibility set on 2 records."
    ]


def test_country_names_of_the_exchange_form_are_in_the_language_of_the_page(client_as):
    exchange = ExchangeFactory(country="SE")
    client = client_as("coordinator")
    pages = {}
    # Swedish again after English: each language has its own list.
    for language in ["sv", "en", "sv"]:
        with translation.override(language):
            url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
        body = client.get(url).content.decode()
        assert f'<html lang="{language}"' in body
        pages[language] = _select(body)
    assert '<option value="SE" selected>Sverige</option>' in pages["sv"]
    assert '<option value="SE" selected>Sweden</option>' in pages["en"]


def _select(body: str, name: str = "country") -> str:
    start = body.index(f'name="{name}"')
    return body[start : body.index("</select>", start)]


def test_the_quick_pickers_write_what_the_admins_pickers_write():
    earlier = ExchangeFactory(title='Earlier <"exchange">')
    member = UserFactory().member
    cases = [
        (Exchange, "return_visit", _QuickAutocompleteSelect, AutocompleteSelect, [None, "", earlier.pk]),
        (Exchange, "managers", _ChosenMembersWidget, AutocompleteSelectMultiple, [None, [], [member.pk]]),
    ]
    for model, name, ours, djangos, values in cases:
        db_field = model._meta.get_field(name)
        for required in [False, True]:
            widgets = []
            for widget in [ours, djangos]:
                field = db_field.formfield(widget=widget(db_field, admin.site), required=required)
                widgets.append(field.widget)
            for value in values:
                written = [w.render(name, value, attrs={"id": f"id_{name}"}) for w in widgets]
                assert written[0] == written[1], (name, required, value)
