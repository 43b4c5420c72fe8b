"""Personal data the strategy app holds: a person's comments, amendments, supports and reports
in consultations, the commitments they own and the progress they posted, and (for
coordinators) the versions and rounds they started.

Erasure: comments, amendments and progress updates stay, as the network's shared record of the
consultation and the commitments, attributed to the anonymised user ("former member"); a
person's supports and reports go (they are their own stance, and a count without them is
still true); commitments they owned keep no owner.
"""

from __future__ import annotations

from core import personal_data
from core.personal_data import iso
from strategy.models import (
    Amendment,
    Comment,
    CommentReport,
    Commitment,
    CommitmentUpdate,
    Round,
    Support,
    Version,
)


def export(user) -> dict:
    return {
        "comments": [
            {
                "document": c.round.version.document.slug,
                "section": c.section.key,
                "language": c.language,
                "comment": c.body,
                "created_at": iso(c.created_at),
                "hidden_reason": c.hidden_reason,
            }
            for c in Comment.objects.filter(author=user).select_related("round__version__document", "section")
        ],
        "amendments": [
            {
                "document": a.round.version.document.slug,
                "section": a.section.key,
                "language": a.language,
                "text": a.text,
                "why": a.explanation,
                "status": a.status,
                "created_at": iso(a.created_at),
            }
            for a in Amendment.objects.filter(proposer=user).select_related("round__version__document", "section")
        ],
        "supported_amendments": list(Support.objects.filter(user=user).values_list("amendment_id", flat=True)),
        "reported_comments": list(CommentReport.objects.filter(reporter=user).values_list("comment_id", flat=True)),
        "commitments_owned": list(Commitment.objects.filter(owner=user).values_list("title", flat=True)),
        "commitment_updates": [
            {"commitment": u.commitment.title, "status": u.status, "note": u.note, "created_at": iso(u.created_at)}
            for u in CommitmentUpdate.objects.filter(created_by=user).select_related("commitment")
        ],
    }


def erase(user) -> None:
    Support.objects.filter(user=user).delete()
    CommentReport.objects.filter(reporter=user).delete()
    Commitment.objects.filter(owner=user).update(owner=None)


personal_data.register(
    app="strategy",
    export=export,
    erase=erase,
    models=[Comment, CommentReport, Amendment, Support, Commitment, CommitmentUpdate, Version, Round],
)
