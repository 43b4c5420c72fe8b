import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_by_default():
    # A request to /sv/… or /nl/… leaves its language active in the test thread;
    # every test here starts in English so that reverse() gives unprefixed URLs.
    with translation.override("en"):
        yield
