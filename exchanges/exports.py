"""The participants' table, one shape for every download (the admin's CSV, the managers'
CSV and XLSX): who comes, their travel support, the answers to the exchange's own questions
and, for whom the policy lets see them, the sensitive answers."""

from __future__ import annotations

from django.db.models import Prefetch

from exchanges.models import Answer, Question


def participants_queryset(registrations):
    """``registrations`` with what the table reads, in a constant number of queries."""
    return registrations.select_related("exchange", "user__member").prefetch_related(
        "user__member__organisations",
        Prefetch("answers", queryset=Answer.objects.select_related("question")),
    )


def participants_table(registrations, *, sensitive: bool) -> tuple[list[str], list[list]]:
    """The header and rows for ``registrations`` (from ``participants_queryset``). The answers
    to questions marked sensitive, and access, dietary and interpretation needs, are columns
    only when ``sensitive`` (the caller asks the policy: ``Exchange.objects.managed_by``)."""
    registrations = list(registrations)
    questions = Question.objects.filter(exchange_id__in={r.exchange_id for r in registrations}).order_by(
        "exchange__starts_at", "exchange_id", "position", "pk"
    )
    if not sensitive:
        questions = questions.filter(sensitive=False)
    # Sensitive questions sit beside the other needs, at the end.
    questions = sorted(questions, key=lambda q: q.sensitive)
    header = ["exchange", "name", "organisations", "state", "email", "travel support", "estimated cost"]
    header += [question.label for question in questions]
    if sensitive:
        header += ["access needs", "dietary needs", "interpretation needs"]
    rows = []
    for reg in registrations:
        member = getattr(reg.user, "member", None)
        orgs = ", ".join(o.name for o in member.organisations.all()) if member else ""
        answers = {answer.question_id: answer.display() for answer in reg.answers.all()}
        # Without consent, other participants' names are not shared; organisers still need
        # to know who comes, so the email identifies the person instead.
        row = [
            reg.exchange.title,
            reg.user.public_name if reg.consent_show_name else "",
            orgs if reg.consent_show_name else "",
            reg.get_state_display(),
            reg.user.email,
            "yes" if reg.travel_support_requested else "",
            reg.travel_cost_estimate if reg.travel_cost_estimate is not None else "",
        ]
        row += [answers.get(question.pk, "") for question in questions]
        if sensitive:
            row += [reg.access_needs, reg.dietary_needs, reg.interpretation_needs]
        rows.append(row)
    return header, rows
