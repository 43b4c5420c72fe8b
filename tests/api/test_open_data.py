"""The nightly open-data package: files, datapackage.json, checksums, removals, the listing
page and downloads; and the job itself on a real Celery worker."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import shutil
import time
from pathlib import Path

import pytest
from django.utils import timezone

from api import opendata
from api.models import OpenDataPackage
from core.licences import Licence
from evidence.models import Consent, EvidenceRecord
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_open_data_root(settings, tmp_path):
    """Each test its own folder: the database rolls back after a test, files do not, and a
    package another test left (named after its day) would otherwise be counted here."""
    # Under the usual root, so that downloads are still served from where files may be sent.
    own = Path(settings.OPEN_DATA_ROOT) / "tests" / tmp_path.name
    settings.OPEN_DATA_ROOT = own
    yield
    shutil.rmtree(own, ignore_errors=True)


def _read(package, filename) -> bytes:
    return (opendata.root() / package.name / filename).read_bytes()


def _csv_rows(package, resource) -> list[dict]:
    text = gzip.decompress(_read(package, f"{resource}.csv.gz")).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _jsonl(package, resource) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(_read(package, f"{resource}.jsonl.gz")).decode().splitlines()]


def test_a_package_holds_what_a_visitor_reads_in_the_api(client):
    OrganisationFactory(name="Tenants Union")
    open_record = EvidenceRecordFactory(title="Open record")
    EvidenceRecordFactory(title="Reserved", licence=Licence.ALL_RIGHTS)
    EvidenceRecordFactory(title="Network", visibility=EvidenceRecord.Visibility.NETWORK)
    told = story(title="A story", consent={"identity_level": "first_name", "person_name": "Amina Yusuf Hassan"})
    ExchangeFactory(title="An exchange", address="Secret street 1")
    package = opendata.package_write()
    assert [r["title"] for r in _csv_rows(package, "evidence")] == ["Open record", "A story"]
    rows = {r["id"]: r for r in _jsonl(package, "evidence")}
    assert rows[told.pk]["storyteller"] == "Amina" and "Hassan" not in json.dumps(rows)
    api_ids = [item["id"] for item in client.get("/api/v1/evidence/").json()["data"]]
    assert sorted(rows) == sorted(api_ids) == sorted([open_record.pk, told.pk])
    assert "Secret street" not in gzip.decompress(_read(package, "exchanges.jsonl.gz")).decode()
    assert package.counts["organisations"] == 1 and package.counts["exchanges"] == 1


def test_datapackage_describes_every_file_with_its_digest_and_licences():
    EvidenceRecordFactory()
    package = opendata.package_write()
    described = json.loads(_read(package, "datapackage.json"))
    assert described["profile"] == "data-package" and described["version"] == package.name
    assert {lic["name"] for lic in described["licenses"]} == {"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"}
    names = {r["path"] for r in described["resources"]}
    assert {"evidence.csv.gz", "evidence.jsonl.gz", "indicator-figures.csv.gz", "guides.jsonl.gz"} <= names
    for resource in described["resources"]:
        data = _read(package, resource["path"])
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        assert resource["schema"]["fields"]
    sums = _read(package, "SHA256SUMS").decode().splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(_read(package, name)).hexdigest() == digest


def test_the_manifest_lists_what_left_since_the_previous_package():
    withdrawn = story(title="Withdrawn later")
    relicensed = EvidenceRecordFactory(title="Relicensed later")
    kept = EvidenceRecordFactory(title="Kept")
    yesterday = opendata.package_write(now=timezone.now() - dt.timedelta(days=1))
    assert yesterday.counts["evidence"] == 3
    Consent.objects.filter(record=withdrawn).update(withdrawn_at=timezone.now())
    EvidenceRecord.objects.filter(pk=relicensed.pk).update(licence=Licence.ALL_RIGHTS)
    today = opendata.package_write()
    manifest = json.loads(_read(today, "manifest.json"))
    assert manifest["previous"] == yesterday.name
    assert manifest["removed_since_previous"]["evidence"] == sorted([withdrawn.pk, relicensed.pk])
    assert [r["id"] for r in _jsonl(today, "evidence")] == [kept.pk]


def test_writing_twice_a_day_replaces_that_days_package_and_only_31_are_kept():
    for days in range(33, 0, -1):
        opendata.package_write(now=timezone.now() - dt.timedelta(days=days))
    opendata.package_write()
    opendata.package_write()
    assert OpenDataPackage.objects.count() == 31
    folders = sorted(p.name for p in opendata.root().iterdir() if not p.name.startswith("."))
    assert folders == sorted(OpenDataPackage.objects.values_list("name", flat=True))


def _close_file(response) -> None:
    """Close the served file without ``response.close()``, which sends request_finished and so
    closes the test's database connection."""
    for closer in getattr(response, "_resource_closers", []):
        closer()


def test_the_listing_page_and_downloads(client):
    assert "No package" in client.get("/open-data/").content.decode()
    EvidenceRecordFactory()
    package = opendata.package_write()
    html = client.get("/open-data/").content.decode()
    assert package.name in html and "evidence.csv.gz" in html
    response = client.get(f"/open-data/{package.name}/evidence.csv.gz")
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == _read(package, "evidence.csv.gz")
    _close_file(response)
    ids = client.get(f"/open-data/{package.name}/ids.json.gz")
    assert ids.status_code == 200
    _close_file(ids)
    assert client.get(f"/open-data/{package.name}/..%2Fsecret").status_code == 404
    assert client.get(f"/open-data/{package.name}/settings.py").status_code == 404
    assert client.get("/open-data/2000-01-01/datapackage.json").status_code == 404
    assert client.get("/sv/open-data/").status_code == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_runs_on_a_real_worker():
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from api.tasks import open_data_package
    from config.celery import app

    EvidenceRecordFactory(title="For the worker")
    assert "api-open-data" in settings.CELERY_BEAT_SCHEDULE
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            open_data_package.delay()
            deadline = time.monotonic() + 60
            while not OpenDataPackage.objects.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    package = OpenDataPackage.objects.get()
    assert package.counts["evidence"] == 1
