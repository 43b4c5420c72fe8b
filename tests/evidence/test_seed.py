import io

import pytest

from devtools.seed.evidence import seed_bench, seed_demo
from evidence.models import Consent, EvidenceRecord, MetricUpdate, Response, Round, Target

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_tells_the_programme_story():
    seed_demo(stdout=io.StringIO())
    counts = (
        EvidenceRecord.objects.count(),
        MetricUpdate.objects.count(),
        Target.objects.count(),
        Response.objects.count(),
        Consent.objects.count(),
    )
    seed_demo(stdout=io.StringIO())
    assert counts == (
        EvidenceRecord.objects.count(),
        MetricUpdate.objects.count(),
        Target.objects.count(),
        Response.objects.count(),
        Consent.objects.count(),
    )
    assert EvidenceRecord.objects.filter(title__icontains="Hjällbo").exists()
    assert Consent.objects.count() == EvidenceRecord.objects.filter(kind="story").count()
    quarters = set(MetricUpdate.objects.values_list("period_start", flat=True))
    assert len(quarters) == 6
    assert Round.objects.filter(community__organisations__slug="gemeente-hellendoorn").count() == 2


def test_seed_bench_bulk_inserts():
    seed_bench(options={"evidence_records": 300, "metric_updates": 1000}, stdout=io.StringIO())
    assert EvidenceRecord.objects.count() == 300
    assert MetricUpdate.objects.count() == 1000
    seed_bench(options={"evidence_records": 300, "metric_updates": 1000}, stdout=io.StringIO())
    assert EvidenceRecord.objects.count() == 300
