import factory

from practice import services
from practice.models import Guide, GuideWork, JointAction, Kind, Participation
from tests.factories.network import OrganisationFactory, ThemeFactory, UserFactory


def make_guide(
    *,
    author=None,
    title="Lerende Gemeenschap",
    language="nl",
    kind=Kind.METHOD,
    summary="",
    sections=None,
    status=Guide.Status.DRAFT,
    coordinator=None,
    themes=(),
    countries=(),
    characteristics=(),
) -> Guide:
    """A guide created through the services, optionally taken to ``status``."""
    author = author or UserFactory(role="organiser")
    guide = services.guide_create(
        user=author,
        kind=kind,
        language=language,
        title=title,
        summary=summary,
        sections=sections or {"what": "Een groep mensen die kennis uitwisselt."},
        work_fields={"countries": list(countries)},
        work_m2m={"themes": list(themes), "characteristics": list(characteristics)},
    )
    return _take_to(guide, status, author, coordinator)


def make_translation(
    source: Guide,
    *,
    language="en",
    title="Learning Community",
    sections=None,
    status=None,
    author=None,
    coordinator=None,
) -> Guide:
    author = author or source.created_by
    guide = services.translation_create(
        source=source,
        user=author,
        language=language,
        title=title,
        summary="",
        sections=sections or {"what": "A group of people who share knowledge."},
    )
    return _take_to(guide, status or Guide.Status.DRAFT, author, coordinator)


def _take_to(guide, status, author, coordinator):
    if status == Guide.Status.DRAFT:
        return guide
    guide = services.guide_submit(guide=guide, user=author)
    if status == Guide.Status.IN_REVIEW:
        return guide
    coordinator = coordinator or UserFactory(role="coordinator")
    guide = services.guide_publish(guide=guide, user=coordinator)
    if status == Guide.Status.ARCHIVED:
        guide = services.guide_archive(guide=guide, user=coordinator)
    return guide


class GuideWorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideWork

    kind = Kind.METHOD
    original_language = "en"


class GuideFactory(factory.django.DjangoModelFactory):
    """A bare published guide (no revisions): for lists and query counts."""

    class Meta:
        model = Guide

    work = factory.SubFactory(GuideWorkFactory)
    language = "en"
    title = factory.Sequence(lambda n: f"Guide {n}")
    slug = factory.Sequence(lambda n: f"guide-{n}")
    summary = "A way of working together."
    sections = factory.LazyFunction(lambda: {"what": "Something that works."})
    status = Guide.Status.PUBLISHED
    published_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)


class JointActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointAction

    title = factory.Sequence(lambda n: f"Joint action {n}")
    slug = factory.Sequence(lambda n: f"joint-action-{n}")
    issue = factory.SubFactory(ThemeFactory, slug="climate-change", name="Climate change")
    summary = "Acting together across borders."
    status = JointAction.Status.ACTIVE


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    joint_action = factory.SubFactory(JointActionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.PARTNER


def characteristic(slug: str, facet: str = "purpose"):
    """A characteristic seeded by the data migration (recreated if a transactional test flushed it)."""
    from practice.models import Characteristic

    return Characteristic.objects.get_or_create(slug=slug, defaults={"facet": facet, "name": slug})[0]
