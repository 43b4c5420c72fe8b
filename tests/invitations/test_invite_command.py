"""``manage.py invite``: addresses or a CSV, one line per address."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from invitations.models import Invitation
from tests.factories.network import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(*args):
    out = StringIO()
    call_command("invite", *args, stdout=out)
    return out.getvalue()


def test_inviting_addresses_into_an_organisation_prints_each_one():
    OrganisationFactory(slug="buurtwerk-noord")
    UserFactory(email="member@example.org")
    output = _invite(
        "a@example.org",
        "member@example.org",
        "--organisation",
        "buurtwerk-noord",
        "--role",
        "organiser",
        "--language",
        "nl",
    )
    assert "invited  a@example.org" in output
    assert "invited  member@example.org" in output  # a member, invited into a new organisation
    assert sorted(Invitation.objects.values_list("email", "language", "role")) == [
        ("a@example.org", "nl", "organiser"),
        ("member@example.org", "nl", "organiser"),
    ]
    again = _invite("a@example.org", "--organisation", "buurtwerk-noord")
    assert "skipped  a@example.org" in again and "already has an open invitation" in again
    assert Invitation.objects.count() == 2


def test_a_bad_address_is_reported_and_the_others_are_invited():
    with pytest.raises(CommandError, match="1 address"):
        _invite("good@example.org", "bad-address")
    assert list(Invitation.objects.values_list("email", flat=True)) == ["good@example.org"]


def test_unknown_organisation_and_missing_arguments_are_errors():
    with pytest.raises(CommandError, match="No organisation"):
        _invite("a@example.org", "--organisation", "nope")
    with pytest.raises(CommandError, match="either"):
        _invite()


def test_a_csv_file_is_checked_and_its_good_rows_imported(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,email,language\nAsa,asa@example.org,sv\nBad,nope,sv\n", encoding="utf-8")
    output = _invite("--csv", str(path), "--dry-run")
    assert "would invite row 2 asa@example.org" in output and Invitation.objects.count() == 0
    output = _invite("--csv", str(path))
    assert "error    row 3 nope" in output and "invited  asa@example.org" in output
    assert "1 invited, 0 skipped, 1 errors." in output
    assert Invitation.objects.get().language == "sv"


def test_a_broken_csv_imports_nothing(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("name,email\nÅsa,asa@example.org\n".encode("latin-1"))
    with pytest.raises(CommandError, match="cannot be imported"):
        _invite("--csv", str(path))
    assert Invitation.objects.count() == 0
