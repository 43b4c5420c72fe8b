import datetime

import factory
from django.utils import timezone

from evidence.models import (
    Community,
    Consent,
    EvidenceRecord,
    Framework,
    Indicator,
    MetricUpdate,
    RecordCountry,
    Round,
    Target,
)
from tests.factories.network import OrganisationFactory


class EvidenceRecordFactory(factory.django.DjangoModelFactory):
    """A published, public outcome statement unless told otherwise (outcomes need no consent)."""

    class Meta:
        model = EvidenceRecord
        skip_postgeneration_save = True

    kind = EvidenceRecord.Kind.OUTCOME
    layer = EvidenceRecord.Layer.OUTCOME
    title = factory.Sequence(lambda n: f"Evidence {n}")
    summary = "What changed."
    body = "The *body*."
    status = EvidenceRecord.Status.PUBLISHED
    visibility = EvidenceRecord.Visibility.PUBLIC
    published_at = factory.LazyFunction(timezone.now)
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 3, 31)

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            # One save each, as the admin's inline saves them (model signals keep the rollups).
            for country in extracted:
                RecordCountry.objects.create(record=self, country=country)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def dimensions(self, create, extracted, **kwargs):
        if create and extracted:
            self.dimensions.set(extracted)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    record = factory.SubFactory(EvidenceRecordFactory, kind=EvidenceRecord.Kind.STORY, layer="process")
    person_name = "Amina Yusuf Hassan"
    identity_level = Consent.IdentityLevel.FIRST_NAME
    audience_network = True
    audience_funders = True
    audience_public = True
    obtained_on = datetime.date(2025, 1, 10)
    method = Consent.Method.WRITTEN


def story(*, consent: dict | None = None, **fields) -> EvidenceRecord:
    """A story with consent (all audiences unless ``consent`` says otherwise)."""
    record = EvidenceRecordFactory(kind=EvidenceRecord.Kind.STORY, layer=EvidenceRecord.Layer.PROCESS, **fields)
    ConsentFactory(record=record, **(consent or {}))
    return record


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Indicator {n}")
    slug = factory.Sequence(lambda n: f"indicator-{n}")
    unit = "people"


class MetricUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricUpdate

    record = factory.SubFactory(EvidenceRecordFactory, kind=EvidenceRecord.Kind.METRIC, layer="process")
    indicator = factory.SubFactory(IndicatorFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 3, 31)
    value = 10


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 3, 31)
    value = 20


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    framework = factory.LazyFunction(lambda: Framework.objects.get(slug="learning-community"))
    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
