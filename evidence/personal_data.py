"""Personal data the evidence base holds, and what happens to it when an account is deleted.

Records, attachments, metric updates and revisions the person wrote stay: they are the
network's evidence, attributed to the anonymised user ("former member") through
``created_by``, ``reviewed_by`` and ``Revision.user``. Consents they obtained keep
``obtained_by`` the same way (the consent belongs to the storyteller, not to them).

Stories the person told about themselves. Whoever writes a story, testimony or media record
may tick "this is my own story" (``Consent.storyteller``; a coordinator can set it in the
admin for a member's story written up by someone else). When the storyteller deletes their
account, their consent is withdrawn ("account deleted"), the name and pseudonym on it are
blanked (also in the consent's revisions) and the identity level becomes anonymous: the story
goes offline everywhere at once, because every page, count, export, digest and search result
reads ``visible_to``, which needs a live consent. Deleting an account is treated as
withdrawing the consent the person gave. The record itself stays, offline, for the
organisation's own records. Stories *about* the person told by a third party (an organiser
writing up a resident's words) stay under the consent that third party recorded: the person
can ask the organisation, or a coordinator, to withdraw it like any other consent.

Self-assessment answers stay only as anonymous aggregates: the response loses its respondent
(``Response.respondent`` becomes empty) and every comment is erased; the group and the scores
stay, so a round's averages do not change when someone leaves. The person is no longer an
invited respondent of any round.
"""

from __future__ import annotations

from django.utils.translation import gettext

from core import personal_data
from core.personal_data import iso
from evidence import services
from evidence.cache import bump_after_commit
from evidence.models import Answer, Consent, EvidenceRecord, Response, Revision, Round

# What a storyteller's consent revisions may hold about them.
CONSENT_NAME_FIELDS = ("person_name", "pseudonym")


def export(user) -> dict:
    own_consents = Consent.objects.filter(storyteller=user).select_related("record").order_by("created_at")
    responses = (
        Response.objects.filter(respondent=user)
        .select_related("round")
        .prefetch_related("answers__question", "answers__evidence")
        .order_by("submitted_at")
    )
    return {
        "records_created": [
            {
                "id": record.pk,
                "title": record.title,
                "kind": record.kind,
                "status": record.status,
                "created_at": iso(record.created_at),
                "published_at": iso(record.published_at),
            }
            for record in EvidenceRecord.objects.filter(created_by=user).order_by("created_at")
        ],
        "records_reviewed": list(
            EvidenceRecord.objects.filter(reviewed_by=user).order_by("pk").values_list("pk", flat=True)
        ),
        "own_stories": [
            {
                "record": consent.record.title,
                "record_id": consent.record_id,
                "person_name": consent.person_name,
                "pseudonym": consent.pseudonym,
                "identity_level": consent.identity_level,
                "audiences": sorted(consent.audiences),
                "obtained_on": iso(consent.obtained_on),
                "method": consent.method,
                "expires_on": iso(consent.expires_on),
                "withdrawn_at": iso(consent.withdrawn_at),
            }
            for consent in own_consents
        ],
        # Consents the person recorded for others: which records, never the others' names.
        "consents_obtained": [
            {"record_id": consent.record_id, "obtained_on": iso(consent.obtained_on)}
            for consent in Consent.objects.filter(obtained_by=user).order_by("obtained_on", "pk")
        ],
        "revisions": [
            {"record_id": revision.record_id, "action": revision.action, "created_at": iso(revision.created_at)}
            for revision in Revision.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "self_assessment": [
            {
                "round": response.round.title,
                "group": response.group,
                "submitted_at": iso(response.submitted_at),
                "answers": [
                    {
                        "question": answer.question.text,
                        "score": answer.score,
                        "comment": answer.comment,
                        "linked_evidence": answer.evidence.title if answer.evidence else None,
                    }
                    for answer in response.answers.all()
                ],
            }
            for response in responses
        ],
        "rounds_invited_to": _round_titles(Round.objects.filter(invited=user)),
        "rounds_opened": _round_titles(Round.objects.filter(opened_by=user)),
    }


def _round_titles(rounds) -> list[str]:
    return list(rounds.order_by("opens_on", "pk").values_list("title", flat=True))


def erase(user) -> None:
    _own_stories_withdraw(user)
    Answer.objects.filter(response__respondent=user).update(comment="")
    Response.objects.filter(respondent=user).update(respondent=None)
    Round.invited.through.objects.filter(user=user).delete()
    # Updates send no signals: the cached evidence pages (counts, results) are told here.
    bump_after_commit()


def _own_stories_withdraw(user) -> None:
    note = gettext("account deleted")
    for consent in Consent.objects.filter(storyteller=user).select_related("record"):
        if consent.withdrawn_at is None:
            consent = services.consent_withdraw(consent=consent, user=user, note=note)
        consent.withdrawn_note = note
        consent.person_name = ""
        consent.pseudonym = ""
        consent.identity_level = Consent.IdentityLevel.ANONYMOUS
        # Saved (not updated) so that every cache that shows the story hears of it.
        consent.save(update_fields=["withdrawn_note", "person_name", "pseudonym", "identity_level"])
        for revision in Revision.objects.filter(record_id=consent.record_id, action="consent"):
            changes = revision.changes.get("consent") if isinstance(revision.changes, dict) else None
            if isinstance(changes, dict) and any(field in changes for field in CONSENT_NAME_FIELDS):
                for field in CONSENT_NAME_FIELDS:
                    changes.pop(field, None)
                revision.save(update_fields=["changes"])


personal_data.register(
    app="evidence",
    export=export,
    erase=erase,
    models=[EvidenceRecord, Consent, Revision, Round, Response, Answer],
)
