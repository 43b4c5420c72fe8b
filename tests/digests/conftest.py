import pytest
from django.utils import timezone, translation

from digests.models import Frequency, period_for


@pytest.fixture(autouse=True)
def _english_by_default():
    # A request to /sv/… or /nl/… leaves its language active in the test thread;
    # every test here starts in English so that reverse() gives unprefixed URLs.
    with translation.override("en"):
        yield


@pytest.fixture
def last_week():
    """A moment in the weekly period that has just ended, by the real clock."""
    period = period_for(Frequency.WEEKLY, timezone.now())
    return period.start + (period.until - period.start) / 2
