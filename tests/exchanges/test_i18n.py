from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from exchanges import services
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import UserFactory, member_for

LOCALE = Path(__file__).resolve().parents[2] / "exchanges" / "locale"


@pytest.mark.parametrize("language", ["sv", "nl"])
def test_catalogue_is_complete_and_not_fuzzy(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    assert entries
    assert "#, fuzzy" not in text
    for entry in entries:
        assert 'msgstr ""\n' not in entry + "\n" or 'msgstr ""\n"' in entry + "\n", entry
        for form in ("msgstr[0]", "msgstr[1]"):
            # Empty, unless the text goes on on the next lines (a long string, wrapped).
            assert f'{form} ""\n' not in entry + "\n" or f'{form} ""\n"' in entry + "\n", entry


@pytest.mark.django_db
def test_confirmation_email_in_dutch(django_capture_on_commit_callbacks):
    user = UserFactory()
    member_for(user, preferred_language="nl", time_zone="Europe/Amsterdam")
    exchange = ExchangeFactory(title="Lerende gemeenschap")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(exchange=exchange, user=user)
    message = mail.outbox[-1]
    assert message.subject == "Je bent ingeschreven: Lerende gemeenschap"
    assert "Hallo" in message.body and "Bekijk de uitwisseling" in message.alternatives[0][0]


@pytest.mark.django_db
def test_list_page_in_swedish(client):
    ExchangeFactory(capacity=3)
    with translation.override("sv"):
        url = reverse("exchanges:index")
    body = client.get(url).content.decode()
    assert "Kommande utbyten" in body and "3 platser kvar" in body
