"""Real files for upload tests, made on the spot (Pillow for images, zipfile for packages)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image


def image_bytes(fmt: str = "PNG", size=(4, 3), color=(200, 30, 30), **save_options) -> bytes:
    """A small real image in ``fmt`` (PNG, JPEG, GIF, WEBP)."""
    output = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new("RGB", size, color).convert(mode).save(output, format=fmt, **save_options)
    return output.getvalue()


PNG = image_bytes("PNG")


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF says where it was taken (Hjällbo, Gothenburg) and that it must be
    turned a quarter (orientation 6), with a comment."""
    image = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    exif[0x010F] = "Camera maker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (57.0, 45.0, 36.0), 3: "E", 4: (11.0, 55.0, 12.0)})
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"taken at home")
    return output.getvalue()


def zip_package(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as package:
        for name in ([first] if first else []) + [n for n in members if n != first]:
            package.writestr(name, members[name])
    return output.getvalue()


def docx_bytes() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = f'<Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    return zip_package({"[Content_Types].xml": types.encode(), "word/document.xml": b"<w:document/>"})


def odt_bytes() -> bytes:
    return zip_package(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>"},
        first="mimetype",
    )


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

SCRIPT = b"<script>alert(document.domain)</script>"
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' + SCRIPT + b"</svg>"


def polyglot_gif() -> bytes:
    """A GIF that decodes as an image and is also a page: script in a comment block and after
    the trailer, where a browser sniffing HTML (or served by extension) would run it."""
    output = io.BytesIO()
    Image.new("P", (8, 8), 1).save(output, format="GIF", comment=HTML)
    return output.getvalue() + HTML


def png_bomb(side: int = 12_000) -> bytes:
    """A real decompression bomb: a PNG of ``side``² grey pixels (144 megapixels, 144 MB once
    decoded) that weighs about 140 KB."""
    raw_row = b"\x00" * (side + 1)  # filter byte + one byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
