import factory
from django.contrib.auth.models import Group

from network.models import Member, Membership, Organisation, Role, Theme, User

PASSWORD = "learninglab-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Mark the email verified for allauth unless ``verified=False`` is passed."""
        if not create or extracted is False:
            if create:
                self.save()
            return
        from allauth.account.models import EmailAddress

        self.save()
        EmailAddress.objects.update_or_create(user=self, email=self.email, defaults={"verified": True, "primary": True})

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        group, _ = Group.objects.get_or_create(name=extracted)
        self.groups.add(group)
        if extracted == Role.COORDINATOR:
            self.is_staff = True
            self.save(update_fields=["is_staff"])


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.GRASSROOTS
    country = "SE"
    city = "Göteborg"
    contact_email = factory.Sequence(lambda n: f"contact{n}@org.example.org")


def member_for(user: User, **fields) -> Member:
    """The member profile created with ``user``, updated with ``fields``."""
    member = user.member
    for key, value in fields.items():
        setattr(member, key, value)
    member.save()
    return member


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.LazyFunction(lambda: UserFactory().member)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ORGANISER
