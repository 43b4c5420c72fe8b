import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_urls():
    # A request to /sv/ or /nl/ leaves its language active in this thread; reverse() and
    # get_absolute_url() in the next test would then produce prefixed URLs.
    translation.activate("en")
    yield
    translation.activate("en")
