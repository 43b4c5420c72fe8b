"""The search-box list filters and the quick select of core/admin.py, on the admins that use them."""

import copy

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from core.admin import QuickSelect
from invitations.models import Invitation
from network.models import Organisation
from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db


def _select(body: str, name: str) -> str:
    start = body.index(f'<select name="{name}"')
    return body[start : body.index("</select>", start)]


def test_organisation_country_filter_offers_the_countries_in_use_and_filters(client_as):
    swedish = OrganisationFactory(country="SE")
    OrganisationFactory(country="NL")
    client = client_as("coordinator")
    url = reverse("admin:network_organisation_changelist")
    select = _select(client.get(url).content.decode(), "country__exact")
    assert select.count("<option") == 3 and "Sweden" in select and "Netherlands" in select
    response = client.get(url, {"country__exact": "SE"})
    assert list(response.context["cl"].result_list) == [swedish]
    assert '<option value="SE" selected>Sweden</option>' in _select(response.content.decode(), "country__exact")


def test_invitation_organisation_filter_is_an_autocomplete_holding_only_the_chosen_one(client_as, coordinator):
    chosen, other = OrganisationFactory(name="Chosen Organisation"), OrganisationFactory(name="Other Organisation")
    Invitation.objects.create(
        email="a@example.org",
        organisation=chosen,
        invited_by=coordinator,
        token_hash="a" * 64,
        expires_at=timezone.now(),
    )
    Invitation.objects.create(
        email="b@example.org",
        organisation=other,
        invited_by=coordinator,
        token_hash="b" * 64,
        expires_at=timezone.now(),
    )
    client = client_as("coordinator")
    url = reverse("admin:invitations_invitation_changelist")
    response = client.get(url, {"organisation__id__exact": chosen.pk})
    assert [i.email for i in response.context["cl"].result_list] == ["a@example.org"]
    select = _select(response.content.decode(), "organisation__id__exact")
    assert 'data-field-name="organisation"' in select and "admin-autocomplete" in select
    assert "Chosen Organisation" in select and "Other Organisation" not in select
    # An unknown or unusable key filters to nothing and never breaks the page.
    for value in ["999999", "abc", "1" * 25]:
        assert client.get(url, {"organisation__id__exact": value}).status_code in (200, 302, 400)


def test_joint_action_country_filter_through_participations_renders(client_as):
    response = client_as("coordinator").get(reverse("admin:practice_jointaction_changelist"))
    assert response.status_code == 200
    assert "ll-search-select" in _select(response.content.decode(), "participations__organisation__country__exact")


def test_quick_select_writes_the_same_options_as_django(db):
    choices = [("", "---"), ("a&b", "A & B"), ("c", "<C>"), ("Group", [("d", "D")])]
    quick = QuickSelect(choices=choices).render("pick", "a&b", attrs={"id": "id_pick", "required": True})
    assert quick.startswith('<select name="pick" id="id_pick" required>') or 'id="id_pick"' in quick
    assert '<option value="a&amp;b" selected>A &amp; B</option>' in quick
    assert '<option value="c">&lt;C&gt;</option>' in quick
    assert '<optgroup label="Group"><option value="d">D</option></optgroup>' in quick
    field = forms.ChoiceField(choices=choices, widget=QuickSelect, required=False)
    assert field.clean("c") == "c"
    assert Organisation.objects.count() == 0


def test_quick_select_copies_share_their_choices_until_given_new_ones(db):
    field = forms.ChoiceField(choices=[("a", "A")], widget=QuickSelect, required=False)
    copied = copy.deepcopy(field)
    assert copied.widget.choices is field.widget.choices
    assert copied.widget.attrs is not field.widget.attrs
    copied.choices = [("b", "B")]
    assert field.widget.choices == [("a", "A")]
    assert '<option value="b">B</option>' in copied.widget.render("pick", None)
    assert '<option value="a">A</option>' in field.widget.render("pick", None)
