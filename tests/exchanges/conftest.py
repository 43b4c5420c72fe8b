import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """A request to a /sv/ or /nl/ page leaves that language active in the thread (the
    LocaleMiddleware never deactivates it); reset it so that no test leaks it to the next."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
