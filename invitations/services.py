"""Invitations: coordinators invite people to join the network (services and CSV import).

Every write is here; the staff pages, the admin, the ``invite`` command and the signup
adapter call these functions. The link's secret is random, shown only in the email, and
stored as its SHA-256; a link works once, until it expires (``INVITATION_TTL_DAYS``).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.cache import network_changed
from core.validators import FORMULA_PREFIXES
from invitations.models import Invitation
from network.models import Member, Membership, Organisation, User
from outbox.services import absolute_url, email_queue

SESSION_KEY = "invitation_token"
TOKEN_BYTES = 32
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class InvitationError(Exception):
    """A change that the invitation's state does not allow; the message is user-facing."""


# --- Tokens --------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def token_new() -> tuple[str, str]:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


def invitation_for_token(raw: str | None) -> Invitation | None:
    """The invitation whose link carries ``raw``, in any state, or None (forged token)."""
    if not raw or len(raw) > 128:
        return None
    digest = token_hash(raw)
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=digest).first()
    # The lookup is by hash (an index), and the hash of a secret leaks nothing about it;
    # the final comparison is constant-time all the same.
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        return None
    return invitation


def invitation_accept_url(invitation: Invitation, raw_token: str) -> str:
    with translation.override(invitation.language):
        return absolute_url(reverse("invitations:accept", kwargs={"token": raw_token}))


# --- Creating, resending, revoking -----------------------------------------------------------


@dataclass
class InviteResult:
    """What happened to one address. ``status``: invited, already_member, already_invited."""

    email: str
    status: str
    invitation: Invitation | None = None

    @property
    def created(self) -> bool:
        return self.status == "invited"

    @property
    def message(self) -> str:
        if self.status == "invited":
            if self.invitation is not None and self.invitation.organisation_id and _user_for_email(self.email):
                return _("%(email)s is already a member; invited to join %(organisation)s.") % {
                    "email": self.email,
                    "organisation": self.invitation.organisation,
                }
            return _("%(email)s invited.") % {"email": self.email}
        if self.status == "already_member":
            return _("%(email)s is already a member; no invitation was created.") % {"email": self.email}
        return _("%(email)s already has an open invitation; no new one was created.") % {"email": self.email}


def _user_for_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email, deleted_at__isnull=True).select_related("member").first()


def _expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)


def email_normalise(email: str) -> str:
    """Validated, lower-case address; raises ValidationError with a user-facing message."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError(_("The email address is missing."))
    if len(email) > 254 or "\x00" in email:
        raise ValidationError(_("“%(email)s” is not a valid email address.") % {"email": email[:80]})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("“%(email)s” is not a valid email address.") % {"email": email[:80]})
    return email


def _member_status(email: str, organisation: Organisation | None) -> str | None:
    """ "already_member" when inviting this address would add nothing, else None."""
    user = _user_for_email(email)
    if user is None:
        return None
    if organisation is None:
        return "already_member"
    if Membership.objects.approved().filter(member__user=user, organisation=organisation).exists():
        return "already_member"
    return None


@transaction.atomic
def invitation_create(
    *,
    email: str,
    name: str = "",
    organisation: Organisation | None = None,
    role: str = Membership.Role.MEMBER,
    language: str = "en",
    message: str = "",
    invited_by: User | None = None,
) -> InviteResult:
    """Invite ``email`` and queue the email (sent after commit).

    Creates nothing, and says so, when the address belongs to a member who would gain
    nothing (no organisation, or already in it) or already has an open invitation. A member
    invited into a new organisation gets an invitation: following it just adds the
    membership. Raises ValidationError for an invalid address.
    """
    email = email_normalise(email)
    Invitation.objects.filter(email=email).expire_due()
    if _member_status(email, organisation):
        return InviteResult(email, "already_member")
    existing = Invitation.objects.filter(email=email, state__in=Invitation.OPEN_STATES).first()
    if existing is not None:
        return InviteResult(email, "already_invited", existing)
    raw, digest = token_new()
    try:
        # A savepoint: a concurrent invitation of the same address hits the unique
        # constraint and turns into "already invited" instead of an error.
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                name=name.strip(),
                organisation=organisation,
                role=role or Membership.Role.MEMBER,
                language=language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE,
                message=message.strip(),
                token_hash=digest,
                invited_by=invited_by,
                expires_at=_expiry(),
            )
    except IntegrityError:
        existing = Invitation.objects.filter(email=email, state__in=Invitation.OPEN_STATES).first()
        return InviteResult(email, "already_invited", existing)
    _invitation_email_queue(invitation, raw)
    return InviteResult(email, "invited", invitation)


def _invitation_email_queue(invitation: Invitation, raw_token: str) -> None:
    invitation.send_count += 1
    row = email_queue(
        to=invitation.email,
        kind="invitation",
        template="invitations/emails/invitation",
        context={
            "invitation": invitation,
            "name": invitation.name,
            "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
            "organisation": invitation.organisation.name if invitation.organisation else "",
            "role": invitation.get_role_display() if invitation.organisation else "",
            "personal_message": invitation.message,
            "accept_url": invitation_accept_url(invitation, raw_token),
            "expires_at": invitation.expires_at,
            "ttl_days": settings.INVITATION_TTL_DAYS,
        },
        language=invitation.language,
        idempotency_key=f"invitation:{invitation.pk}:{invitation.send_count}",
        # The accept link is the invitation's only credential.
        carries_secret=True,
    )
    invitation.outbox_message = row
    invitation.save(update_fields=["send_count", "outbox_message"])


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link (the old one stops working) and a new
    expiry. Works for pending, sent and expired invitations, not accepted or revoked ones."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise InvitationError(
            _("This invitation was %(state)s and cannot be sent again.") % {"state": invitation.get_state_display()}
        )
    if (invitation.state == Invitation.State.EXPIRED or not invitation.is_open) and (
        Invitation.objects.filter(email=invitation.email, state__in=Invitation.OPEN_STATES)
        .exclude(pk=invitation.pk)
        .exists()
    ):
        raise InvitationError(_("%(email)s already has another open invitation.") % {"email": invitation.email})
    raw, digest = token_new()
    invitation.token_hash = digest
    invitation.state = Invitation.State.PENDING
    invitation.expires_at = _expiry()
    invitation.save(update_fields=["token_hash", "state", "expires_at"])
    _invitation_email_queue(invitation, raw)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Revoke an open invitation: its link stops working. False if it was not open."""
    changed = Invitation.objects.filter(
        pk=invitation.pk, state__in=[*Invitation.OPEN_STATES, Invitation.State.EXPIRED]
    ).update(state=Invitation.State.REVOKED, revoked_at=timezone.now())
    return changed == 1


# --- Accepting -----------------------------------------------------------------------------


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, language: str | None = None) -> Invitation:
    """Accept for ``user``: claim the invitation (open → accepted, once), create the
    membership, mark the invited address verified. Raises InvitationError if the invitation
    is no longer open; then nothing changes."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_open:
        raise InvitationError(_("This invitation link is no longer valid."))
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, state__in=Invitation.OPEN_STATES).update(
        state=Invitation.State.ACCEPTED, accepted_by=user, accepted_at=now
    )
    invitation.state, invitation.accepted_by, invitation.accepted_at = Invitation.State.ACCEPTED, user, now
    member = Member.objects.filter(user=user).first()
    if member is None:
        from network.services import member_ensure

        member = member_ensure(user=user)
    if invitation.organisation_id:
        # An invitation into an organisation is its approval: it approves a pending request too.
        approval = {
            "state": Membership.State.APPROVED,
            "decided_at": now,
            "decided_by_id": invitation.invited_by_id,
        }
        membership, created = Membership.objects.get_or_create(
            member=member,
            organisation_id=invitation.organisation_id,
            defaults={"role": invitation.role, "since": now.date(), **approval},
        )
        if not created and membership.state != Membership.State.APPROVED:
            Membership.objects.filter(pk=membership.pk).update(role=invitation.role, **approval)
            network_changed()  # .update() sends no signal
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    return invitation


def invitation_accept_from_session(*, request, user: User) -> Invitation | None:
    """Called when a new account is saved at signup: if the person came through an
    invitation link, accept it for them and take over its name and the page's language."""
    raw = request.session.pop(SESSION_KEY, None) if request is not None else None
    if raw is None:
        return None
    invitation = invitation_for_token(raw)
    if invitation is None or not invitation.is_open:
        # Revoked or expired while the person was signing up: the address is no longer
        # vouched for, so allauth must not create it verified.
        request.session["account_verified_email"] = None
        return None
    invitation = invitation_accept(invitation=invitation, user=user)
    member = user.member
    changed = []
    language = translation.get_language() or invitation.language
    if language in LANGUAGE_CODES and member.preferred_language != language:
        member.preferred_language = language
        changed.append("preferred_language")
    if invitation.name and member.display_name == user.email.split("@")[0]:
        member.display_name = invitation.name[:100]
        changed.append("display_name")
    if changed:
        member.save(update_fields=changed)
    return invitation


# --- CSV import ------------------------------------------------------------------------------

REQUIRED_COLUMNS = ["name", "email"]
OPTIONAL_COLUMNS = ["organisation", "role", "language", "message"]
# Named after the module it was born in; changing it would void previews signed before a deploy.
CSV_SIGNING_SALT = "network.invitations.csv"
CSV_PREVIEW_MAX_AGE = 60 * 60


@dataclass
class CsvRow:
    line: int
    name: str = ""
    email: str = ""
    organisation: Organisation | None = None
    organisation_text: str = ""
    role: str = Membership.Role.MEMBER
    language: str = "en"
    message: str = ""
    errors: list[str] = field(default_factory=list)
    skip_reason: str = ""

    @property
    def importable(self) -> bool:
        return not self.errors and not self.skip_reason

    def as_payload(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation.pk if self.organisation else None,
            "role": self.role,
            "language": self.language,
            "message": self.message,
        }


@dataclass
class CsvPreview:
    rows: list[CsvRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def good_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.importable] if not self.file_errors else []

    @property
    def error_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.errors]

    @property
    def skipped_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.skip_reason and not row.errors]

    def payload(self) -> str:
        """The good rows, signed, for the confirmation form (tampering is detected)."""
        return signing.dumps([row.as_payload() for row in self.good_rows], salt=CSV_SIGNING_SALT, compress=True)


def _role_parse(value: str) -> str | None:
    value = value.strip().lower()
    if not value:
        return Membership.Role.MEMBER
    for code, label in Membership.Role.choices:
        if value in (code, str(label).lower()):
            return code
    return None


def _organisation_index() -> dict[str, Organisation]:
    index: dict[str, Organisation] = {}
    for organisation in Organisation.objects.only("pk", "name", "slug"):
        index.setdefault(organisation.name.strip().lower(), organisation)
        index[organisation.slug.lower()] = organisation
    return index


def _text_problem(value: str, label: str, max_length: int) -> str | None:
    if "\x00" in value:
        return _("%(field)s contains a character that is not allowed.") % {"field": label}
    if len(value) > max_length:
        return _("%(field)s is longer than %(max)d characters.") % {"field": label, "max": max_length}
    if value.startswith(FORMULA_PREFIXES):
        return _("%(field)s starts with “%(char)s”, which spreadsheets treat as a formula; remove it.") % {
            "field": label,
            "char": value[0].replace("\t", "tab").replace("\r", "CR"),
        }
    return None


def invitation_csv_parse(data: bytes, *, default_language: str = "en") -> CsvPreview:
    """Check an uploaded CSV without saving anything: per-file and per-row problems.

    Columns (header row, any order, comma or semicolon separated): name and email are
    required; organisation (slug or name), role, language (en/sv/nl) and message are
    optional. Rows for existing members or addresses with an open invitation are skipped.
    """
    preview = CsvPreview()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.file_errors.append(
            _("The file is not UTF-8 text. In your spreadsheet choose “CSV UTF-8” when saving, and upload it again.")
        )
        return preview
    if "\x00" in text:
        preview.file_errors.append(_("The file contains NUL characters; it does not look like a CSV file."))
        return preview
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records = list(reader)
    except csv.Error as exc:
        preview.file_errors.append(_("The file could not be read as CSV: %(error)s") % {"error": exc})
        return preview
    records = [(number, record) for number, record in enumerate(records, start=1) if any(c.strip() for c in record)]
    if not records:
        preview.file_errors.append(_("The file is empty."))
        return preview
    header = [column.strip().lower() for column in records[0][1]]
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in allowed]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or duplicated:
        if missing:
            preview.file_errors.append(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            preview.file_errors.append(
                _("Unknown column(s): %(columns)s.") % {"columns": ", ".join(c or "(empty)" for c in unknown)[:300]}
            )
        if duplicated:
            preview.file_errors.append(_("Repeated column(s): %(columns)s.") % {"columns": ", ".join(duplicated)})
        preview.file_errors.append(
            _("The first row must name the columns: %(required)s (required) and %(optional)s (optional).")
            % {"required": ", ".join(REQUIRED_COLUMNS), "optional": ", ".join(OPTIONAL_COLUMNS)}
        )
        return preview
    body = records[1:]
    if not body:
        preview.file_errors.append(_("The file has a header row but no invitations."))
        return preview
    if len(body) > settings.INVITATION_CSV_MAX_ROWS:
        preview.file_errors.append(
            _("The file has %(count)d rows; at most %(max)d can be imported at once. Split it into smaller files.")
            % {"count": len(body), "max": settings.INVITATION_CSV_MAX_ROWS}
        )
        return preview

    organisations = _organisation_index()
    seen: dict[str, int] = {}
    emails = []
    for line, record in body:
        row = CsvRow(line=line, language=default_language)
        preview.rows.append(row)
        if len(record) != len(header):
            row.errors.append(
                _("This row has %(got)d fields but the header has %(want)d.")
                % {"got": len(record), "want": len(header)}
            )
            continue
        values = {column: value.strip() for column, value in zip(header, record, strict=True)}
        row.name = values.get("name", "")
        problem = _text_problem(row.name, _("The name"), 150)
        if problem:
            row.errors.append(problem)
        if not row.name:
            row.errors.append(_("The name is missing."))
        try:
            row.email = email_normalise(values.get("email", ""))
        except ValidationError as exc:
            row.email = values.get("email", "")[:254]
            row.errors.extend(exc.messages)
        else:
            if row.email in seen:
                row.errors.append(_("The same address is already on row %(line)d.") % {"line": seen[row.email]})
            else:
                seen[row.email] = line
                emails.append(row.email)
        row.organisation_text = values.get("organisation", "")
        if row.organisation_text:
            row.organisation = organisations.get(row.organisation_text.lower())
            if row.organisation is None:
                row.errors.append(
                    _("There is no organisation “%(organisation)s” (use its name or its slug).")
                    % {"organisation": row.organisation_text[:100]}
                )
        role = _role_parse(values.get("role", ""))
        if role is None:
            row.errors.append(
                _("The role “%(role)s” is unknown; use one of: %(roles)s.")
                % {"role": values.get("role", "")[:40], "roles": ", ".join(Membership.Role.values)}
            )
        else:
            row.role = role
        language = values.get("language", "").lower()
        if language:
            if language in LANGUAGE_CODES:
                row.language = language
            else:
                row.errors.append(
                    _("The language “%(language)s” is not offered; use one of: %(languages)s.")
                    % {"language": language[:20], "languages": ", ".join(LANGUAGE_CODES)}
                )
        row.message = values.get("message", "")
        problem = _text_problem(row.message, _("The message"), 2000)
        if problem and row.message:
            row.errors.append(problem)

    # Skips, decided with two queries for the whole file.
    # Expired invitations do not count: the address may be invited again.
    open_invited = set(Invitation.objects.open().filter(email__in=emails).values_list("email", flat=True))
    users = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails, deleted_at__isnull=True)
        .select_related("member")
        .prefetch_related("member__memberships")
    }
    for row in preview.rows:
        if row.errors:
            continue
        user = users.get(row.email)
        if user is not None:
            member = getattr(user, "member", None)
            org_ids = {m.organisation_id for m in member.memberships.all()} if member else set()
            if row.organisation is None or row.organisation.pk in org_ids:
                row.skip_reason = _("Already a member; skipped.")
                continue
        if row.email in open_invited:
            row.skip_reason = _("Already has an open invitation; skipped.")
    return preview


def invitation_csv_payload_load(payload: str) -> list[dict]:
    """The rows of a signed preview payload; raises signing.BadSignature when tampered with
    or older than an hour."""
    return signing.loads(payload, salt=CSV_SIGNING_SALT, max_age=CSV_PREVIEW_MAX_AGE)


@transaction.atomic
def invitation_import(
    *, rows: list[dict], invited_by: User | None, message: str = "", default_language: str = "en"
) -> list[InviteResult]:
    """Create the invitations of checked CSV rows, all or none (one transaction)."""
    organisations = Organisation.objects.in_bulk([r["organisation"] for r in rows if r.get("organisation")])
    results = []
    for row in rows:
        results.append(
            invitation_create(
                email=row["email"],
                name=row.get("name", ""),
                organisation=organisations.get(row.get("organisation")),
                role=row.get("role") or Membership.Role.MEMBER,
                language=row.get("language") or default_language,
                message=row.get("message") or message,
                invited_by=invited_by,
            )
        )
    return results
