import pytest
from django.utils import translation

from tests.factories.network import MembershipFactory, OrganisationFactory


@pytest.fixture
def media_root(tmp_path, settings):
    """Uploads land in a fresh folder, and the sendfile backends serve from the same one."""
    settings.MEDIA_ROOT = tmp_path
    settings.SENDFILE_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def sendfile_backend(settings):
    """Switch ``SENDFILE_BACKEND`` within a test: django-sendfile2 keeps the backend it first
    loaded, so its cache is emptied before and after."""
    from django_sendfile.utils import _get_sendfile

    def use(name: str):
        settings.SENDFILE_BACKEND = settings.SENDFILE_BACKENDS[name]
        _get_sendfile.cache_clear()

    _get_sendfile.cache_clear()
    yield use
    _get_sendfile.cache_clear()


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Navet i Bergsjön", slug="navet", country="SE")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="Gemeente Hellendoorn", slug="gemeente-hellendoorn", country="NL")


@pytest.fixture
def organiser_member(organiser, org):
    """The ``organiser`` of the role cast, an approved member of ``org``."""
    MembershipFactory(member=organiser.member, organisation=org)
    return organiser


@pytest.fixture
def other_member(other_organiser, other_org):
    """The ``other_organiser`` of the role cast, an approved member of another organisation."""
    MembershipFactory(member=other_organiser.member, organisation=other_org)
    return other_organiser


@pytest.fixture(autouse=True)
def _english():
    # A request to /sv/ or /nl/ leaves that language active in the thread.
    translation.activate("en")
    yield
    translation.activate("en")
