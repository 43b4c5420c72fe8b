import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # A request to /sv/ or /nl/ leaves that language active in the thread.
    translation.activate("en")
    yield
    translation.activate("en")
