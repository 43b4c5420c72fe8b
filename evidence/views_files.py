"""Evidence attachments, served only to those who may see their record.

An attachment is as visible as its record under the one policy (``EvidenceRecord.objects
.visible_to``): a draft's files only to those who may read the draft, a story's files to
nobody once its consent is withdrawn or expired. Everyone else gets 404, as for the record.
Attachments are never cached by shared caches (consent can be withdrawn at any time) and are
always downloads (``Content-Disposition: attachment``) under the uploader's sanitised name.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from core.files import file_response
from evidence.models import ALLOWED_ATTACHMENT_TYPES, Attachment, EvidenceRecord


def attachment(request, pk: int, name: str):
    visible = EvidenceRecord.objects.visible_to(request.viewer).values("pk")
    item = get_object_or_404(Attachment.objects.filter(record__in=visible), pk=pk)
    # The URL carries the random stored name: a stale or guessed one finds nothing.
    if not item.file or item.file.served_name != name:
        raise Http404
    return file_response(
        request, item.file, allowed=ALLOWED_ATTACHMENT_TYPES, public=False, download_name=item.download_name
    )
