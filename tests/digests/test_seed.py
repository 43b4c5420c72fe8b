from io import StringIO

import pytest

from devtools.seed.digests import seed_demo
from digests.models import DigestPreference, Frequency
from network.models import Role
from tests.factories.digests import member

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_every_member_a_preference_once_and_keeps_choices():
    funder = member(role=Role.FUNDER)
    organisers = [member() for _ in range(5)]
    chosen = member(frequency=Frequency.OFF)

    seed_demo(stdout=StringIO())
    first = dict(DigestPreference.objects.values_list("user_id", "frequency"))
    DigestPreference.objects.filter(user=organisers[0]).update(frequency=Frequency.OFF)
    out = StringIO()
    seed_demo(stdout=out)

    assert "0 digest preferences created" in out.getvalue()
    assert len(first) == 7
    assert first[funder.pk] == Frequency.MONTHLY and first[chosen.pk] == Frequency.OFF
    assert DigestPreference.objects.get(user=organisers[0]).frequency == Frequency.OFF
    assert DigestPreference.objects.count() == 7
