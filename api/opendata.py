"""The nightly open-data package: what the API gives a visitor, as files.

One folder per day under ``settings.OPEN_DATA_ROOT``: for every resource a gzipped CSV and a
gzipped JSON Lines file, a Frictionless ``datapackage.json`` describing fields, licences,
sizes and SHA-256 digests, a ``manifest.json`` listing what left since the previous package
(a withdrawn consent, a changed licence, an unpublished item), and ``SHA256SUMS``.

Rows come from the same querysets and the same row functions as the API for the anonymous
viewer (``api.main``), so the two can never disagree. Rows are read from the database in
chunks of ids and written as they come: memory stays flat however many records there are;
only the ids are kept, to list removals next time.

The folder is written under a temporary name and renamed when complete, so a reader never
sees half a package; running twice on one day replaces that day's package.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from api import figures, main
from api.models import OpenDataPackage
from core.licences import OPEN, Licence, licence_url
from core.policy import ANONYMOUS
from evidence.models import Indicator
from network.models import Organisation

CHUNK = 2000
KEEP = 31  # the latest and the previous 30


@dataclass(frozen=True)
class Resource:
    name: str
    rows: Callable[[], Iterator[dict]]
    fields: list[tuple[str, str]]  # (name, Frictionless type)
    key: str | None = "id"
    description: str = ""


def _rows(queryset, rows_of) -> Callable[[], Iterator[dict]]:
    """The rows of ``queryset()`` by ``rows_of`` (the API's ``record_rows`` and its kind), read in
    chunks of ``CHUNK`` in id order, each chunk starting after the last id of the one before."""

    def rows() -> Iterator[dict]:
        after = 0
        while True:
            chunk = rows_of(queryset().filter(pk__gt=after).order_by("pk")[:CHUNK])
            yield from chunk
            if len(chunk) < CHUNK:
                return
            after = chunk[-1]["id"]

    return rows


def _figures() -> Iterator[dict]:
    records = main.evidence_for(ANONYMOUS).published()
    indicators = list(Indicator.objects.order_by("pk"))
    found = figures.indicator_figures(records)
    for indicator in indicators:
        for cell in found.get(indicator.pk, []):
            base = {"indicator": indicator.slug, "period_start": cell["period_start"], "period_end": cell["period_end"]}
            yield {**base, "category": "", "value": cell["value"], "contributors": cell["contributors"],
                   "suppressed": cell["suppressed"]}  # fmt: skip
            for split in cell["splits"]:
                yield {**base, "category": split["category"], "value": split["value"],
                       "contributors": split["contributors"], "suppressed": False}  # fmt: skip


# Frictionless field types, short so that the field lists below stay readable.
S, INT, D, T, L, B, N = "string", "integer", "date", "datetime", "array", "boolean", "number"

RESOURCES = [
    Resource(
        "organisations",
        _rows(lambda: Organisation.objects.all(), main.organisation_rows),
        [("id", INT), ("slug", S), ("name", S), ("kind", S), ("country", S), ("city", S), ("website", S),
         ("description", S), ("themes", L), ("url", S), ("updated_at", T)],
        description="Organisations of the network (public fields).",
    ),
    Resource(
        "exchanges",
        _rows(lambda: main.exchanges_for(ANONYMOUS), main.exchange_rows),
        [("id", INT), ("slug", S), ("language", S), ("title", S), ("summary", S), ("description", S), ("kind", S),
         ("format", S), ("status", S), ("city", S), ("country", S), ("starts_at", T), ("ends_at", T),
         ("time_zone", S), ("working_languages", L), ("themes", L), ("hosts", L), ("sessions", L), ("url", S),
         ("updated_at", T)],
        description="Announced learning exchanges with their sessions (never addresses or joining links).",
    ),
    Resource(
        "guides",
        _rows(lambda: main.guides_for(ANONYMOUS), main.guide_rows),
        [("id", INT), ("slug", S), ("work", INT), ("language", S), ("kind", S), ("title", S), ("summary", S),
         ("sections", "object"), ("themes", L), ("licence", S), ("licence_url", S), ("published_at", T), ("url", S),
         ("updated_at", T)],
        description="Published guides under an open licence, one row per language version.",
    ),
    Resource(
        "joint-actions",
        _rows(lambda: main.joint_actions_for(ANONYMOUS), main.joint_action_rows),
        [("id", INT), ("slug", S), ("title", S), ("summary", S), ("description", S), ("language", S), ("status", S),
         ("issue", S), ("started_on", D), ("ended_on", D), ("organisations", L), ("url", S), ("updated_at", T)],
        description="Joint actions of groups in several countries.",
    ),
    Resource(
        "evidence",
        _rows(lambda: main.evidence_for(ANONYMOUS), main.record_rows),
        [("id", INT), ("kind", S), ("layer", S), ("status", S), ("title", S), ("summary", S), ("body", S),
         ("why_it_matters", S), ("outcome_who", S), ("outcome_what", S), ("outcome_when", S), ("outcome_where", S),
         ("significance", S), ("contribution", S), ("storyteller", S), ("organisations", L), ("themes", L),
         ("countries", L), ("period_start", D), ("period_end", D), ("verification", S), ("original_language", S),
         ("licence", S), ("licence_url", S), ("published_at", T), ("url", S), ("updated_at", T)],
        description="Published evidence records under an open licence whose consent allows the public.",
    ),
    Resource(
        "strategy-versions",
        _rows(lambda: main.strategy_versions_for(ANONYMOUS), main.strategy_version_rows),
        [("id", INT), ("document", S), ("number", INT), ("language", S), ("original_language", S),
         ("languages", L), ("title", S), ("summary", S), ("sections", L), ("note", S), ("licence", S),
         ("licence_url", S), ("published_at", T), ("url", S), ("updated_at", T)],
        description="Every published version of the network's strategy documents under an open licence, "
        "in the site's default language where translated (else the original).",
    ),
    Resource(
        "indicator-figures",
        _figures,
        [("indicator", S), ("period_start", D), ("period_end", D), ("category", S), ("value", N),
         ("contributors", INT), ("suppressed", B)],
        key=None,
        description="Indicator figures per quarter and split category; cells of fewer than "
        "OPEN_DATA_MIN_CELL_SIZE records are suppressed.",
    ),
]  # fmt: skip


class _HashingWriter(io.RawIOBase):
    """A file that counts and hashes the (compressed) bytes written through it."""

    def __init__(self, path: Path):
        self.file = open(path, "wb")  # noqa: SIM115 (closed by close())
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.file.write(data)

    def close(self) -> None:
        if not self.closed:
            self.file.close()
        super().close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(json.dumps(v, cls=DjangoJSONEncoder, ensure_ascii=False) if isinstance(v, dict) else str(v)
                        for v in value)  # fmt: skip
    if isinstance(value, dict):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _write_resource(folder: Path, resource: Resource, ids: list) -> tuple[int, list[dict]]:
    names = [name for name, _type in resource.fields]
    outputs = {}
    for suffix in ("csv", "jsonl"):
        raw = _HashingWriter(folder / f"{resource.name}.{suffix}.gz")
        # mtime=0: the same rows give the same bytes (and the same digest) on any day.
        gz = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        outputs[suffix] = (raw, gz, io.TextIOWrapper(gz, encoding="utf-8", newline=""))
    writer = csv.writer(outputs["csv"][2])
    writer.writerow(names)
    count = 0
    for row in resource.rows():
        writer.writerow([_cell(row.get(name)) for name in names])
        outputs["jsonl"][2].write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
        if resource.key:
            ids.append(row[resource.key])
        count += 1
    described = []
    for suffix, (raw, gz, text) in outputs.items():
        text.flush()
        text.detach()
        gz.close()
        raw.close()
        described.append({"name": f"{resource.name}.{suffix}.gz", "bytes": raw.size, "sha256": raw.sha256.hexdigest()})
    return count, described


def _previous_ids(previous: OpenDataPackage | None) -> dict[str, set]:
    if previous is None:
        return {}
    path = root() / previous.name / "ids.json.gz"
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return {name: set(values) for name, values in json.load(file).items()}


def root() -> Path:
    return Path(settings.OPEN_DATA_ROOT)


def _datapackage(name: str, created: dt.datetime, files: list[dict]) -> dict:
    by_name = {f["name"]: f for f in files}
    resources = []
    for resource in RESOURCES:
        for suffix, fmt, mediatype in (("csv", "csv", "text/csv"), ("jsonl", "jsonl", "application/x-ndjson")):
            described = by_name[f"{resource.name}.{suffix}.gz"]
            entry = {
                "name": f"{resource.name}-{suffix}",
                "path": described["name"],
                "description": resource.description,
                "format": fmt,
                "mediatype": mediatype,
                "compression": "gz",
                "encoding": "utf-8",
                "bytes": described["bytes"],
                "hash": f"sha256:{described['sha256']}",
                "schema": {
                    "fields": [{"name": field, "type": kind} for field, kind in resource.fields],
                    **({"primaryKey": [resource.key]} if resource.key else {}),
                },
            }
            if fmt == "csv":
                entry["dialect"] = {"delimiter": ",", "header": True}
            resources.append(entry)
    return {
        "profile": "data-package",
        "name": "learning-lab-open-data",
        "title": f"{settings.SITE_NAME} open data",
        "version": name,
        "created": created.isoformat(),
        "homepage": settings.SITE_URL + "/open-data/",
        "description": (
            "Open data of the Learning Lab network. Each evidence record, guide and strategy version carries its "
            "own licence "
            "(column 'licence'); items under 'all rights reserved' are never included. List columns in CSV "
            "are separated by ';'."
        ),
        "licenses": [
            {"name": code, "path": licence_url(code), "title": str(Licence(code).label)} for code in sorted(OPEN)
        ],
        "resources": resources,
    }


def package_write(*, now: dt.datetime | None = None) -> OpenDataPackage:
    """Write today's package (replacing one written earlier today), list removals since the
    previous one, and delete packages beyond the latest ``KEEP``."""
    now = now or timezone.now()
    name = timezone.localdate(now).isoformat()
    previous = OpenDataPackage.objects.exclude(name=name).order_by("-name").first()
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    temporary = base / f".writing-{name}-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    ids: dict[str, list] = {}
    counts: dict[str, int] = {}
    files: list[dict] = []
    # The package reads as a visitor in the site's default language.
    with translation.override(settings.LANGUAGE_CODE):
        for resource in RESOURCES:
            ids[resource.name] = []
            counts[resource.name], written = _write_resource(temporary, resource, ids[resource.name])
            files += written
    before = _previous_ids(previous)
    removed = {
        resource: sorted(before.get(resource, set()) - set(values), key=str)
        for resource, values in ids.items()
        if resource in before
    }
    with gzip.open(temporary / "ids.json.gz", "wt", encoding="utf-8") as file:
        json.dump(ids, file)
    _write_json(temporary / "datapackage.json", _datapackage(name, now, files))
    _write_json(
        temporary / "manifest.json",
        {
            "package": name,
            "created": now.isoformat(),
            "previous": previous.name if previous else None,
            "counts": counts,
            "removed_since_previous": removed,
        },  # fmt: skip
    )
    for extra in ("datapackage.json", "manifest.json", "ids.json.gz"):
        data = (temporary / extra).read_bytes()
        files.append({"name": extra, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    (temporary / "SHA256SUMS").write_text("".join(f"{f['sha256']}  {f['name']}\n" for f in files))
    final = base / name
    if final.exists():
        shutil.rmtree(final)
    temporary.rename(final)
    with transaction.atomic():
        package, _created = OpenDataPackage.objects.update_or_create(
            name=name,
            defaults={"counts": counts, "removed": {k: len(v) for k, v in removed.items()}, "files": files},
        )
    _prune()
    return package


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), encoding="utf-8")


def _prune() -> None:
    stale = list(OpenDataPackage.objects.order_by("-name")[KEEP:])
    for package in stale:
        shutil.rmtree(root() / package.name, ignore_errors=True)
    OpenDataPackage.objects.filter(pk__in=[p.pk for p in stale]).delete()


def file_path(package: OpenDataPackage, filename: str) -> Path | None:
    """The stored file ``filename`` of ``package`` (only the names the package lists)."""
    if filename not in {f["name"] for f in package.files} | {"SHA256SUMS"}:
        return None
    path = root() / package.name / filename
    return path if path.is_file() else None


def listed() -> Iterable[OpenDataPackage]:
    return OpenDataPackage.objects.order_by("-name")[:KEEP]
