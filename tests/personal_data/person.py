"""One person with a row of every kind of personal data the apps hold, made through the apps'
own services wherever they have one, with distinctive text to look for afterwards.

``person_everything()`` returns a ``Person`` whose ``rows`` maps every model covered by a
personal-data hook to a callable that finds the person's rows of that model: the tests check
that each finds something before the account is deleted (and fail for a covered model that
has no entry here, so that a new model needs a row in this builder).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from api.models import AccessToken
from api.services import token_create
from digests.models import DigestDelivery, DigestPreference
from evidence import services as evidence_services
from evidence.models import Answer, Consent, EvidenceRecord, Question, Response, Revision, Round
from exchanges import services as exchange_services
from exchanges.models import Answer as ExchangeAnswer
from exchanges.models import CalendarFeed, Exchange, HostOffer, Reflection, Registration
from exchanges.models import Question as ExchangeQuestion
from exchanges.models import Session as ExchangeSession
from invitations.models import Invitation
from invitations.services import invitation_create
from network.models import Member, Membership, User
from outbox.models import OutboxMessage
from outbox.services import email_queue_rendered
from practice import services as practice_services
from practice.models import Guide, GuideImage, GuideRevision, JointAction, JointActionUpdate
from programmes.models import Enrolment, Programme
from tests.factories.evidence import CommunityFactory, RoundFactory
from tests.factories.exchanges import ExchangeFactory, SessionFactory
from tests.factories.files import image_bytes
from tests.factories.network import PASSWORD, MembershipFactory, OrganisationFactory, ThemeFactory, UserFactory
from tests.factories.practice import make_guide

EMAIL = "zlatana.qwertyson@example.org"
SECOND_EMAIL = "zq.second.address@example.net"
FIRST_NAME = "Zlatana"
LAST_NAME = "Qwertyson"
DISPLAY_NAME = "Zlatana Q-Organiser"
# Answers only this person gave: none of them may survive the deletion anywhere.
ANSWERS = {
    "city": "Xanaduville",
    "bio": "Bio-XYZZY-of-the-person",
    "membership_message": "Membership-message-QUUX",
    "access_needs": "Access-needs-PLUGH",
    "dietary_needs": "Dietary-needs-FROTZ",
    "interpretation_needs": "Interpretation-GNUSTO",
    "hope_to_learn": "Hope-to-learn-REZROV",
    "will_bring": "Will-bring-YOMIN",
    "stay_in_touch": "Stay-in-touch-ZORKMID",
    "assessment_comment": "Assessment-comment-GRUE",
    "pseudonym": "Pseudonym-SPLATT",
    "invitation_name": "Zlatana Invited-Name",
    "photo_alt": "Photo-description-XYZZY",
    "question_answer": "Own-question-FNORD",
    "sensitive_question_answer": "Sensitive-question-BLORB",
    "host_offer": "Host-offer-KALEIDO",
}
TRAVEL_COST = Decimal("1234.56")


@dataclass
class Person:
    user: User
    member: Member
    client: Client
    rows: dict = field(default_factory=dict)
    # Things that stay by design, checked by the tests.
    own_story: EvidenceRecord | None = None
    other_story: EvidenceRecord | None = None
    guide: Guide | None = None
    reflection: Reflection | None = None
    full_exchange: Exchange | None = None
    waiting: User | None = None
    round: Round | None = None
    queued_message: OutboxMessage | None = None

    @property
    def needles(self) -> list[str]:
        return [EMAIL, SECOND_EMAIL, FIRST_NAME, LAST_NAME, DISPLAY_NAME, *ANSWERS.values(), str(TRAVEL_COST)]


def _sessions_of(user: User) -> list[str]:
    store = Session.get_session_store_class()()
    return [
        s.session_key
        for s in Session.objects.all()
        if store.decode(s.session_data).get("_auth_user_id") == str(user.pk)
    ]


def person_everything(*, coordinator: User) -> Person:
    now = timezone.now()
    user = UserFactory(email=EMAIL, first_name=FIRST_NAME, last_name=LAST_NAME, role="organiser")
    member = user.member
    member.display_name = DISPLAY_NAME
    member.city = ANSWERS["city"]
    member.bio = ANSWERS["bio"]
    member.photo = SimpleUploadedFile("me.png", image_bytes("PNG", size=(500, 400)))
    member.photo_alt = ANSWERS["photo_alt"]
    member.save()
    member.themes.add(ThemeFactory(slug="housing-pd"))
    org = OrganisationFactory(name="Navet PD")
    membership = MembershipFactory(member=member, organisation=org, message=ANSWERS["membership_message"])
    second = EmailAddress.objects.create(user=user, email=SECOND_EMAIL, verified=False, primary=False)
    EmailConfirmation.create(second).save()

    # Signed in twice (a laptop and a phone): both sessions must end.
    client = Client()
    client.login(email=EMAIL, password=PASSWORD)
    Client().login(email=EMAIL, password=PASSWORD)

    # The admin's history about the person, and an entry that names them in another object.
    for obj, repr_text in ((user, DISPLAY_NAME), (member, DISPLAY_NAME), (membership, f"{DISPLAY_NAME} – Navet PD")):
        LogEntry.objects.create(
            user=coordinator,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=repr_text,
            action_flag=CHANGE,
            change_message=json.dumps([{"changed": {"name": "member", "object": f"{FIRST_NAME} {LAST_NAME}"}}]),
        )

    # An invitation to the second address, by a coordinator (its email goes to the outbox).
    other_org = OrganisationFactory(name="Other PD")
    result = invitation_create(
        email=SECOND_EMAIL, name=ANSWERS["invitation_name"], organisation=other_org, invited_by=coordinator
    )
    assert result.invitation is not None, result

    # Exchanges: a confirmed place on a full in-person exchange with someone waiting…
    full = ExchangeFactory(
        title="Full exchange PD", capacity=1, format=Exchange.Format.IN_PERSON, kind=Exchange.Kind.VISIT
    )
    answers = {
        "access_needs": ANSWERS["access_needs"],
        "dietary_needs": ANSWERS["dietary_needs"],
        "interpretation_needs": ANSWERS["interpretation_needs"],
        "travel_support_requested": True,
        "travel_cost_estimate": TRAVEL_COST,
        "consent_show_name": True,
    }
    # … answering the exchange's own questions, one of them sensitive …
    asked = ExchangeQuestion.objects.create(exchange=full, label="What do you organise on?", position=1)
    sensitive = ExchangeQuestion.objects.create(exchange=full, label="Medication?", position=2, sensitive=True)
    exchange_services.registration_create(
        exchange=full,
        user=user,
        answers=answers,
        question_answers={
            asked.pk: ANSWERS["question_answer"],
            sensitive.pk: ANSWERS["sensitive_question_answer"],
        },
    )
    # … and naming them a manager of the exchange their organisation hosts.
    full.hosts.add(org)
    full.managers.add(member)
    # … enrolled in a programme's cohort …
    Enrolment.objects.create(
        programme=Programme.objects.create(
            title="Programme PD", slug="programme-pd", starts_on=now.date(), ends_on=now.date()
        ),
        user=user,
        state=Enrolment.State.ENROLLED,
    )
    HostOffer.objects.create(
        organisation=org,
        created_by=user,
        title="Offer PD",
        description=ANSWERS["host_offer"],
        format=Exchange.Format.IN_PERSON,
        months=["2030-05"],
        working_languages=["sv"],
    )
    waiting = UserFactory(email="waiting.next@example.org")
    exchange_services.registration_create(exchange=full, user=waiting)
    # … an application with its answers …
    application = ExchangeFactory(title="Application PD", signup_mode=Exchange.SignupMode.APPLICATION)
    exchange_services.registration_create(
        exchange=application,
        user=user,
        answers={"hope_to_learn": ANSWERS["hope_to_learn"], "will_bring": ANSWERS["will_bring"]},
    )
    # … a place on a waitlist …
    waitlist = ExchangeFactory(title="Waitlist PD", capacity=1)
    exchange_services.registration_create(exchange=waitlist, user=UserFactory())
    exchange_services.registration_create(exchange=waitlist, user=user)
    # … and a past exchange they attended, with answers and a reflection.
    past = ExchangeFactory(title="Past PD", starts_at=now - dt.timedelta(days=3))
    attended = Registration.objects.create(exchange=past, user=user, state=Registration.State.ATTENDED, **answers)
    reflection = exchange_services.reflection_save(
        registration=attended,
        data={
            "learned": "How a listening campaign starts.",
            "will_try": "One-to-ones.",
            "stay_in_touch": ANSWERS["stay_in_touch"],
            "rating": 5,
        },
    )
    exchange_services.feed_get_or_create(user=user)
    token_create(user=user, name=f"Script of {DISPLAY_NAME}", expires_in_days=30)
    SessionFactory(exchange=full, title="Opening PD").facilitators.add(member)

    # Evidence: their own story, a story they wrote about someone else, a self-assessment.
    own = evidence_services.record_create(
        user=user,
        data={"kind": "story", "title": "My own story PD", "organisations": [org], "visibility": "public"},
    )
    evidence_services.consent_save(
        record=own,
        user=user,
        data={
            "own_story": True,
            "person_name": f"{FIRST_NAME} {LAST_NAME}",
            "identity_level": Consent.IdentityLevel.PSEUDONYM,
            "pseudonym": ANSWERS["pseudonym"],
            "audience_network": True,
            "audience_funders": True,
            "audience_public": True,
            "obtained_on": dt.date(2025, 3, 1),
            "method": Consent.Method.DIGITAL,
        },
    )
    EvidenceRecord.objects.filter(pk=own.pk).update(status=EvidenceRecord.Status.PUBLISHED, published_at=now)
    other = evidence_services.record_create(
        user=user,
        data={"kind": "story", "title": "A neighbour's story PD", "organisations": [org], "visibility": "public"},
    )
    evidence_services.consent_save(
        record=other,
        user=user,
        data={
            "own_story": False,
            "person_name": "Neighbour Person",
            "identity_level": Consent.IdentityLevel.FIRST_NAME,
            "audience_network": True,
            "audience_funders": True,
            "audience_public": True,
            "obtained_on": dt.date(2025, 3, 1),
            "method": Consent.Method.WRITTEN,
        },
    )
    EvidenceRecord.objects.filter(pk=other.pk).update(status=EvidenceRecord.Status.PUBLISHED, published_at=now)
    round_obj = RoundFactory(community=CommunityFactory(organisations=[org]), opened_by=coordinator)
    round_obj.invited.add(user)
    questions = list(Question.objects.filter(dimension__framework=round_obj.framework)[:2])
    evidence_services.response_save(
        round=round_obj,
        user=user,
        group=Response.Group.ORGANISER,
        answers={
            questions[0].pk: {"score": 4, "comment": ANSWERS["assessment_comment"]},
            questions[1].pk: {"score": 2, "comment": ""},
        },
    )

    # Practice: a guide they wrote, with an image; a joint action's update.
    guide = make_guide(author=user, title="Door knocking PD", language="en")
    GuideImage.objects.create(guide=guide, file="practice/guides/pd.png", alt_text="A door", uploaded_by=user)
    action = practice_services.joint_action_create(
        user=coordinator, title="Joint action PD", issue=ThemeFactory(slug="climate-pd"), participants=[(org, "lead")]
    )
    JointAction.objects.filter(pk=action.pk).update(created_by=user)
    practice_services.joint_action_update_add(action=action, user=user, text="We met the council.")

    # Digests: a preference and a delivery (with its email).
    DigestPreference.objects.create(user=user, frequency="monthly", languages=["sv"])
    digest_email = email_queue_rendered(
        to=EMAIL,
        kind="digest",
        subject=f"Your digest, {DISPLAY_NAME}",
        text=f"Hello {FIRST_NAME}",
        html=f"<p>Hello {FIRST_NAME}</p>",
        language="en",
        idempotency_key=f"digest:monthly:2026-10:{user.pk}",
        user=user,
    )
    OutboxMessage.objects.filter(pk=digest_email.pk).update(state=OutboxMessage.State.SENT, sent_at=now)
    DigestDelivery.objects.create(
        user=user,
        frequency="monthly",
        period="2026-10",
        window_since=now - dt.timedelta(days=30),
        window_until=now,
        state=DigestDelivery.State.QUEUED,
        item_count=3,
        message=digest_email,
        claim="00000000-0000-0000-0000-000000000001",
    )
    # The outbox: an email that failed for the person's address, and one still queued.
    failed = email_queue_rendered(
        to=EMAIL,
        kind="exchange_message",
        subject="About the visit",
        text=f"Dear {DISPLAY_NAME}",
        html="",
        language="en",
        idempotency_key="pd-failed",
        user=user,
    )
    OutboxMessage.objects.filter(pk=failed.pk).update(
        state=OutboxMessage.State.FAILED, last_error=f"SMTPRecipientsRefused: {{'{EMAIL}': (550, 'no')}}"
    )
    queued = email_queue_rendered(
        to=EMAIL,
        kind="exchange_message",
        subject=f"Hello {FIRST_NAME}",
        text=f"Dear {DISPLAY_NAME}",
        html=f"<p>Dear {DISPLAY_NAME}</p>",
        language="en",
        idempotency_key="pd-queued",
        user=user,
    )

    strategy_rows = _strategy_rows(user)

    person = Person(
        user=user,
        member=member,
        client=client,
        own_story=own,
        other_story=other,
        guide=guide,
        reflection=reflection,
        full_exchange=full,
        waiting=waiting,
        round=round_obj,
        queued_message=queued,
    )
    person.rows = {
        User: lambda: User.objects.filter(pk=user.pk),
        Member: lambda: Member.objects.filter(user=user),
        Membership: lambda: Membership.objects.filter(member__user=user),
        EmailAddress: lambda: EmailAddress.objects.filter(user=user),
        EmailConfirmation: lambda: EmailConfirmation.objects.filter(email_address__user=user),
        LogEntry: lambda: LogEntry.objects.filter(object_repr__contains=DISPLAY_NAME),
        Session: lambda: Session.objects.filter(pk__in=_sessions_of(user)),
        Invitation: lambda: Invitation.objects.filter(email=SECOND_EMAIL),
        OutboxMessage: lambda: OutboxMessage.objects.filter(Q(user=user) | Q(to=EMAIL) | Q(to=SECOND_EMAIL)),
        Registration: lambda: Registration.objects.filter(user=user).exclude(access_needs="", hope_to_learn=""),
        Reflection: lambda: Reflection.objects.filter(registration__user=user).exclude(stay_in_touch=""),
        CalendarFeed: lambda: CalendarFeed.objects.filter(user=user),
        AccessToken: lambda: AccessToken.objects.filter(user=user),
        ExchangeSession: lambda: ExchangeSession.objects.filter(facilitators=member),
        ExchangeAnswer: lambda: ExchangeAnswer.objects.filter(registration__user=user),
        Exchange: lambda: Exchange.objects.filter(managers=member),
        HostOffer: lambda: HostOffer.objects.filter(created_by=user),
        Enrolment: lambda: Enrolment.objects.filter(user=user),
        EvidenceRecord: lambda: EvidenceRecord.objects.filter(created_by=user),
        Consent: lambda: Consent.objects.filter(storyteller=user, withdrawn_at__isnull=True),
        Revision: lambda: Revision.objects.filter(user=user),
        Round: lambda: Round.objects.filter(invited=user),
        Response: lambda: Response.objects.filter(respondent=user),
        Answer: lambda: Answer.objects.filter(response__respondent=user).exclude(comment=""),
        Guide: lambda: Guide.objects.filter(authors=member),
        GuideRevision: lambda: GuideRevision.objects.filter(created_by=user),
        GuideImage: lambda: GuideImage.objects.filter(uploaded_by=user),
        JointAction: lambda: JointAction.objects.filter(created_by=user),
        JointActionUpdate: lambda: JointActionUpdate.objects.filter(created_by=user),
        DigestPreference: lambda: DigestPreference.objects.filter(user=user),
        DigestDelivery: lambda: DigestDelivery.objects.filter(user=user),
        **strategy_rows,
    }
    return person


def _strategy_rows(user) -> dict:
    """A strategy version and round the person started, a comment, a report, an amendment, a
    support, a commitment they own with a progress update, and a partner invitation they sent."""
    import uuid

    from exchanges.models import Exchange as ExchangeModel
    from practice.models import PartnerInvitation
    from strategy import models as strategy_models
    from strategy import services as strategy_services
    from tests.factories.network import OrganisationFactory, UserFactory
    from tests.factories.practice import JointActionFactory
    from tests.factories.strategy import strategy_make

    _document, _v1, v2, consultation = strategy_make(slug="personal-data", coordinator=user)
    section = v2.document.sections.get(key="vision")
    other = UserFactory()
    theirs = strategy_services.comment_create(
        consultation=consultation, section=section, author=other, body="Theirs", language="en", submission=uuid.uuid4()
    )
    strategy_services.comment_create(
        consultation=consultation, section=section, author=user, body="A view", language="en", submission=uuid.uuid4()
    )
    strategy_services.comment_report(comment=theirs, user=user, reason="Off topic")
    strategy_services.amendment_create(
        consultation=consultation, section=section, proposer=user, text="New text", explanation="",
        language="en", submission=uuid.uuid4(),
    )  # fmt: skip
    others = strategy_services.amendment_create(
        consultation=consultation, section=section, proposer=other, text="Other text", explanation="",
        language="en", submission=uuid.uuid4(),
    )  # fmt: skip
    strategy_services.amendment_support(amendment=others, user=user)
    convening = ExchangeFactory(kind=ExchangeModel.Kind.CONVENING)
    commitment = strategy_models.Commitment.objects.create(
        exchange=convening, title="A commitment", due_on=timezone.localdate(), owner=user
    )
    strategy_services.commitment_update_add(
        commitment=commitment, user=user, status="under_way", note="Started", submission=uuid.uuid4()
    )
    PartnerInvitation.objects.create(
        joint_action=JointActionFactory(), organisation=OrganisationFactory(), invited_by=user
    )
    return {
        strategy_models.Version: lambda: strategy_models.Version.objects.filter(created_by=user),
        strategy_models.Round: lambda: strategy_models.Round.objects.filter(created_by=user),
        strategy_models.Comment: lambda: strategy_models.Comment.objects.filter(author=user),
        strategy_models.CommentReport: lambda: strategy_models.CommentReport.objects.filter(reporter=user),
        strategy_models.Amendment: lambda: strategy_models.Amendment.objects.filter(proposer=user),
        strategy_models.Support: lambda: strategy_models.Support.objects.filter(user=user),
        strategy_models.Commitment: lambda: strategy_models.Commitment.objects.filter(owner=user),
        strategy_models.CommitmentUpdate: lambda: strategy_models.CommitmentUpdate.objects.filter(created_by=user),
        PartnerInvitation: lambda: PartnerInvitation.objects.filter(invited_by=user),
    }


def delete_account(person: Person):
    """Delete the account the way the person does: the account page's form, over HTTP."""
    from django.urls import reverse

    return person.client.post(reverse("network:account_delete"), {"password": PASSWORD})
