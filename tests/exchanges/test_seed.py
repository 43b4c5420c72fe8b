import io

import pytest

from devtools.seed import exchanges as seed
from exchanges.models import Exchange, ExchangeTranslation, Reflection, Registration, Session
from tests.factories.network import UserFactory

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
    UserFactory.create_batch(16)  # members to facilitate the largest exchange's sessions
    out = io.StringIO()
    seed.seed_bench(options={"bench_exchanges": 20, "bench_registrations": 400}, stdout=out)
    bench = Exchange.objects.filter(slug__startswith="bench-exchange-")
    assert bench.count() == 20
    assert Registration.objects.filter(exchange__in=bench).count() == 400
    waitlisted = Registration.objects.filter(state=Registration.State.WAITLISTED)
    assert waitlisted.count() == waitlisted.values("exchange", "waitlist_position").distinct().count()
    # The largest exchange, whose admin page the bench measures: eight sessions, hundreds of
    # registrations in several states. Seeding again adds nothing.
    largest = Exchange.objects.get(slug=seed.LARGEST_SLUG)
    assert largest.sessions.count() == 8
    assert all(session.facilitators.count() == 2 for session in largest.sessions.all())
    assert largest.registrations.count() == seed.LARGEST_REGISTRATIONS
    assert set(largest.registrations.values_list("state", flat=True)) >= {"confirmed", "applied", "waitlisted"}
    seed.seed_bench(options={"bench_exchanges": 20, "bench_registrations": 400}, stdout=out)
    assert Exchange.objects.count() == 21
