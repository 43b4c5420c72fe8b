"""Serving stored files, after the caller's view has applied the access policy.

Nothing under ``MEDIA_ROOT`` is reachable by URL except through a view that looked the file's
record up with ``visible_to(request.viewer)`` and then called ``file_response``. The bytes go
out through django-sendfile2, so that in production the proxy streams them
(``SENDFILE_BACKEND=nginx``: an ``X-Accel-Redirect`` to an ``internal`` location;
``xsendfile``: Apache's ``X-Sendfile``) and the demo and tests send them from Django
(``simple``). See README, "Files behind a proxy".

With a shared object store (``MEDIA_STORAGE=libcloud``, README "Capacity") the file is on no
local disk the proxy could read: Django streams it from the field's storage instead, with the
same headers.
"""

from __future__ import annotations

from collections.abc import Collection

from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpResponse
from django_sendfile import sendfile

from core.uploads import OCTET_STREAM, content_type_for

# A file is never a page: even opened directly it may run nothing and load nothing.
FILE_CSP = "default-src 'none'; sandbox"
PUBLIC_MAX_AGE = 60 * 60


def file_response(
    request,
    fieldfile,
    *,
    allowed: Collection[str],
    public: bool,
    download_name: str | None = None,
) -> HttpResponse:
    """The response that sends ``fieldfile`` (a stored file of a ``CheckedFileField``).

    * ``Content-Type`` comes from our allow-list by the extension we stored the file under
      (``allowed`` is the field's list); anything else is ``application/octet-stream``.
    * ``download_name`` (the sanitised uploader's name) makes it a download:
      ``Content-Disposition: attachment`` with an RFC 5987 ``filename*``. Without one it is
      shown inline, which only images (``image/*``) ever are; an opaque type always downloads.
    * ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy always.
    * ``public``: the caller established that everyone, signed in or not, may see the file;
      only then may shared caches keep it (for an hour). Anything else is
      ``Cache-Control: private, no-store``.
    """
    content_type = content_type_for(fieldfile.name, allowed)
    if download_name is None and not content_type.startswith("image/"):
        download_name = fieldfile.served_name
    storage = getattr(fieldfile, "storage", None) or default_storage
    if isinstance(storage, FileSystemStorage):
        response = sendfile(
            request,
            fieldfile.name,
            attachment=download_name is not None,
            attachment_filename=download_name or False,
            mimetype=content_type,
        )
    else:
        response = _streamed(storage, fieldfile.name, download_name=download_name)
    # sendfile2 guesses an encoding from the name (``.gz``); our names carry none.
    if "Content-Encoding" in response:
        del response["Content-Encoding"]
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    if public and content_type != OCTET_STREAM:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def _streamed(storage, name: str, *, download_name: str | None) -> FileResponse:
    """The stored file read through the storage's API (an object store): 404 when missing."""
    try:
        handle = storage.open(name, "rb")
        handle.seek(0)  # an object store's file may fetch only when first read
    except OSError as missing:
        raise Http404 from missing
    return FileResponse(handle, as_attachment=download_name is not None, filename=download_name or "")
