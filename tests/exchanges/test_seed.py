import io

import pytest

from devtools.seed import exchanges as seed
from exchanges.models import Exchange, ExchangeTranslation, Reflection, Registration, Session

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_programme_and_is_idempotent():
    seed.seed_demo(stdout=io.StringIO())
    counts = (Exchange.objects.count(), Registration.objects.count(), Reflection.objects.count())
    assert Exchange.objects.filter(kind=Exchange.Kind.VISIT).count() == 6
    assert Exchange.objects.filter(kind=Exchange.Kind.GATHERING).get().sessions.count() == len(seed.SESSIONS)
    assert Exchange.objects.filter(kind=Exchange.Kind.CONVENING).exists()
    assert Registration.objects.filter(state=Registration.State.WAITLISTED).exists()
    assert Reflection.objects.exists() and Session.objects.exists()
    assert Exchange.objects.upcoming().exists() and Exchange.objects.past().exists()
    assert Exchange.objects.get(slug="visit-navet-i-bergsjon").hosts.get().name == "Navet i Bergsjön"
    # Swedish and Dutch titles and summaries for every demo exchange.
    translations = ExchangeTranslation.objects.count()
    assert translations == 2 * len(seed.PROGRAMME)
    gathering = Exchange.objects.get(slug="european-learning-exchange")
    assert gathering.text("sv").title == "Europeiskt lärandeutbyte"
    assert gathering.text("nl").title == "Europese leeruitwisseling"
    seed.seed_demo(stdout=io.StringIO())
    assert (Exchange.objects.count(), Registration.objects.count(), Reflection.objects.count()) == counts
    assert ExchangeTranslation.objects.count() == translations


def test_seed_bench_bulk_inserts():
    out = io.StringIO()
    seed.seed_bench(options={"bench_exchanges": 20, "bench_registrations": 400}, stdout=out)
    assert Exchange.objects.count() == 20
    assert Registration.objects.count() == 400
    waitlisted = Registration.objects.filter(state=Registration.State.WAITLISTED)
    assert waitlisted.count() == waitlisted.values("exchange", "waitlist_position").distinct().count()
