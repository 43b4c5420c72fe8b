"""Oversized uploads are refused while they stream in (issue #11, finding 10).

Each test talks to a real server over a raw socket, sends the headers and a little of the
body, and then waits for the answer: the old code read the whole body before answering
(30 MB to a temporary file first), so it never answered a client that had not sent it all.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from evidence.models import EvidenceRecord
from tests.factories.evidence import EvidenceRecordFactory

CSRF = "a" * 32
BOUNDARY = "----learninglab-boundary"
MiB = 1024 * 1024


@pytest.fixture
def upload_url(live_server, db):
    record = EvidenceRecordFactory(kind="document", status=EvidenceRecord.Status.DRAFT)
    return f"/evidence/{record.pk}/attachments/add/"


def connect(live_server) -> socket.socket:
    url = urlsplit(live_server.url)
    return socket.create_connection((url.hostname, url.port), timeout=10)


def head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", f"Cookie: csrftoken={CSRF}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one response: status, headers and as much body as its Content-Length says.

    Raises ``TimeoutError`` when the server does not answer (it is still reading the body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    header_block, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    length = int(headers.get("content-length", 0))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(status_line.split()[1]), headers, rest


def multipart_start(filename: str) -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{CSRF}\r\n"
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + b"%PDF-1.4\n"


def test_a_body_declared_too_large_is_answered_413_before_it_is_sent(live_server, upload_url):
    with connect(live_server) as sock:
        sock.sendall(
            head(
                upload_url,
                {
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(30 * MiB),
                },
            )
        )
        sock.sendall(multipart_start("big.pdf") + b"x" * 4096)
        status, headers, body = read_response(sock)
    assert status == 413
    assert headers["content-type"].startswith("text/html")
    assert "The upload is too large" in body.decode()
    assert "5.0\xa0MB" in body.decode() or "5.0 MB" in body.decode()


def test_a_file_over_the_limit_is_stopped_while_it_streams(live_server, upload_url, settings):
    # The body as declared is within MAX_REQUEST_SIZE; the file in it is not within
    # MAX_UPLOAD_SIZE. The server must stop reading once the file passes the limit.
    settings.MAX_UPLOAD_SIZE = 256 * 1024
    start = multipart_start("big.pdf")
    declared = 2 * MiB
    with connect(live_server) as sock:
        sock.sendall(
            head(
                upload_url,
                {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(declared)},
            )
        )
        sock.sendall(start + b"x" * (600 * 1024))  # well past the limit, far short of the body
        status, _headers, body = read_response(sock)
    assert status == 413
    assert "The upload is too large" in body.decode()
    assert not EvidenceRecord.objects.filter(attachments__isnull=False).exists()


def test_a_chunked_body_of_undeclared_length_is_refused_before_it_is_read(live_server, upload_url):
    with connect(live_server) as sock:
        sock.sendall(
            head(
                upload_url,
                {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Transfer-Encoding": "chunked"},
            )
        )
        part = multipart_start("big.pdf") + b"x" * 4096
        sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        status, _headers, body = read_response(sock)
    assert status == 411
    assert "without saying how large it is" in body.decode()
