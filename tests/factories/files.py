"""Real files for upload tests, made on the spot (Pillow for images, zipfile for packages)."""

from __future__ import annotations

import io
import zipfile

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
