from datetime import timedelta

import factory
from django.utils import timezone

from exchanges.models import Exchange, Reflection, Registration, Session
from tests.factories.network import UserFactory


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Learning exchange {n}")
    slug = factory.Sequence(lambda n: f"learning-exchange-{n}")
    summary = "Organisers compare how they build power around the cost of living."
    description = "We meet **online** and share practice."
    kind = Exchange.Kind.ONLINE
    format = Exchange.Format.ONLINE
    status = Exchange.Status.PUBLISHED
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.status != Exchange.Status.DRAFT else None)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    time_zone = "Europe/Stockholm"
    capacity = 10
    working_languages = factory.LazyFunction(lambda: ["en"])
    online_link = "https://meet.example.org/learning-lab"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    exchange = factory.SubFactory(ExchangeFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyAttribute(lambda o: o.exchange.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.exchange.starts_at + timedelta(hours=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    exchange = factory.SubFactory(ExchangeFactory)
    user = factory.SubFactory(UserFactory)
    state = Registration.State.CONFIRMED
    consent_show_name = True


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    registration = factory.SubFactory(RegistrationFactory)
    learned = "How a listening campaign starts."
    will_try = "One-to-ones with neighbours."
    rating = 4
