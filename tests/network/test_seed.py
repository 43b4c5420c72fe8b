"""Demo and bench data."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from devtools.seed.exchanges import BENCH_HOST_OFFERS
from devtools.seed.network import ORGANISATIONS, seed_bench, seed_demo
from devtools.seed.programmes import BENCH_PROGRAMMES
from devtools.seed.strategy import BENCH_COMMITMENTS, BENCH_CONVENINGS
from exchanges.models import Exchange, HostOffer
from network.models import Member, Membership, Organisation, Role, User
from programmes.models import Programme
from strategy.models import Commitment

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_with_debug_off_unless_forced():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Organisation.objects.exists()
    with override_settings(DEBUG=False):
        call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Organisation.objects.filter(slug="digidem-lab").exists()


def _snapshot():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Member.objects.count(),
        Membership.objects.count(),
        EmailAddress.objects.count(),
        Organisation.networks.through.objects.count(),
    )


def test_seed_demo_builds_a_believable_network_and_is_idempotent():
    seed_demo(stdout=io.StringIO())
    first = _snapshot()
    seed_demo(stdout=io.StringIO())
    assert _snapshot() == first

    names = set(Organisation.objects.values_list("name", flat=True))
    for name in (
        "Community Organisers",
        "European Community Organisers Network",
        "Digidem Lab",
        "Navet i Bergsjön",
        "Tillsammans Hjällbo",
        "Agera Göteborg",
        "Rädda Barnen",
        "Göteborgs stift",
        "Postkodstiftelsen",
        "Gemeente Hellendoorn",
    ):
        assert name in names
    assert Organisation.objects.get(name="Postkodstiftelsen").kind == Organisation.Kind.FUNDER
    assert Organisation.objects.values("country").distinct().count() >= 8
    assert len(ORGANISATIONS) == Organisation.objects.count()
    econ = Organisation.objects.get(name="European Community Organisers Network")
    assert econ.network_members.filter(name="Digidem Lab").exists()
    assert Member.objects.count() >= 40
    assert Member.objects.values("country").distinct().count() >= 8
    assert {"public", "members", "hidden"} <= set(Member.objects.values_list("visibility", flat=True))
    languages = {code for codes in Member.objects.values_list("languages", flat=True) for code in codes}
    assert {"sv", "nl", "en", "so", "ar"} <= languages
    assert Organisation.themes.through.objects.exists()


def test_seed_demo_creates_the_three_demo_logins(client):
    seed_demo(stdout=io.StringIO())
    for email, role in (
        ("coordinator@example.org", Role.COORDINATOR),
        ("organiser@example.org", Role.ORGANISER),
        ("funder@example.org", Role.FUNDER),
    ):
        user = User.objects.get(email=email)
        assert user.groups.filter(name=role).exists()
        assert user.is_staff == (role == Role.COORDINATOR)
        assert EmailAddress.objects.get(user=user).verified
        assert user.check_password("learninglab")
        response = client.post("/accounts/login/", {"login": email, "password": "learninglab"})
        assert response.status_code == 302, email
        client.logout()


def test_seed_bench_bulk_inserts_and_skips_what_is_there():
    seed_bench(options={"members": 30, "organisations": 12}, stdout=io.StringIO())
    bench_users = User.objects.filter(email__endswith="@bench.example.org")
    assert bench_users.count() == 30
    assert Member.objects.filter(user__in=bench_users).count() == 30
    assert Organisation.objects.filter(slug__startswith="bench-org-").count() == 12
    assert Membership.objects.filter(member__user__in=bench_users).count() >= 30
    assert EmailAddress.objects.filter(user__in=bench_users, verified=True).count() == 30
    user = User.objects.get(email="member7@bench.example.org")
    assert user.check_password("learninglab") and user.groups.filter(name=Role.ORGANISER).exists()
    # Running again adds only what is missing.
    seed_bench(options={"members": 35, "organisations": 12}, stdout=io.StringIO())
    assert bench_users.count() == 35
    assert Organisation.objects.filter(slug__startswith="bench-org-").count() == 12


def test_seed_bench_command_has_the_network_options():
    out = io.StringIO()
    # Every app's bench seed runs; keep theirs tiny so this stays a fast test.
    small = ["--bench-exchanges", "1", "--bench-registrations", "1", "--evidence-records", "1"]
    small += ["--metric-updates", "1", "--practice-guides", "1", "--practice-joint-actions", "1"]
    call_command("seed_bench", "--members", "3", "--organisations", "2", *small, stdout=out)
    assert "Bench data ready." in out.getvalue()
    # Other apps' bench seeds may add bench users of their own; the network's three are there.
    assert User.objects.filter(email__in=[f"member{n}@bench.example.org" for n in (1, 2, 3)]).count() == 3
    assert "seed_bench: scale 1 in " in out.getvalue()


def test_seed_bench_scale_multiplies_every_volume_not_given_explicitly():
    out = io.StringIO()
    # Explicit volumes stay as given (tiny here); what a module keeps as a constant (offers to
    # host, programmes, convenings and their commitments) and each volume left at its default
    # are multiplied. The members' default would be 20,000: given explicitly, so 3 here.
    small = ["--bench-exchanges", "2", "--bench-registrations", "2", "--evidence-records", "1"]
    small += ["--metric-updates", "1", "--practice-guides", "1", "--practice-joint-actions", "1"]
    call_command("seed_bench", "--scale", "2", "--members", "3", "--organisations", "2", *small, stdout=out)
    assert "seed_bench: scale 2 in " in out.getvalue()
    assert User.objects.filter(email__endswith="@bench.example.org", member__isnull=False).count() >= 3
    assert HostOffer.objects.filter(title__startswith="Bench offer ").count() == 2 * BENCH_HOST_OFFERS
    assert Programme.objects.filter(slug__startswith="bench-programme-").count() == 2 * BENCH_PROGRAMMES
    assert Exchange.objects.filter(slug__startswith="bench-convening-").count() == 2 * BENCH_CONVENINGS
    assert Commitment.objects.count() == 2 * BENCH_COMMITMENTS
    # Ten times the convenings are still all in the past (none reaches the lists of upcoming exchanges).
    assert not Exchange.objects.filter(slug__startswith="bench-convening-", starts_at__gte=timezone.now()).exists()
