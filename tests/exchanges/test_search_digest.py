from datetime import timedelta

import pytest
from django.utils import timezone

from core.policy import viewer_for
from exchanges import digest
from exchanges.models import Exchange
from exchanges.search import document, visible
from search.sources import sources
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.network import ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_search_document_and_visibility(organiser, coordinator):
    theme = ThemeFactory(slug="housing")
    exchange = ExchangeFactory(country="NL", working_languages=["nl", "en"], address="Secret 1")
    exchange.themes.add(theme)
    draft = ExchangeFactory(status=Exchange.Status.DRAFT)
    doc = document(exchange)
    assert doc["language"] == "nl" and doc["themes"] == ["housing"] and doc["countries"] == ["NL"]
    assert doc["url"] == exchange.get_absolute_url() and "Secret" not in doc["body"]
    assert document(draft) is None
    assert draft not in visible(viewer_for(coordinator)) and exchange in visible(viewer_for(organiser))
    source = sources()["exchange"]
    assert source.model is Exchange and source.document is document and source.visible is visible


def test_digest_items_are_exchanges_published_in_the_window():
    now = timezone.now()
    new = ExchangeFactory(kind=Exchange.Kind.CONVENING)
    Exchange.objects.filter(pk=new.pk).update(published_at=now - timedelta(days=1))
    old = ExchangeFactory()
    Exchange.objects.filter(pk=old.pk).update(published_at=now - timedelta(days=30))
    items = digest.digest_items(since=now - timedelta(days=7), until=now)
    assert [i["key"] for i in items] == [f"exchange:{new.pk}"]
    assert items[0]["audiences"] == {"members", "funders", "coordinators"} and items[0]["section"] == "exchanges"


def test_digest_member_items_in_constant_queries(django_assert_num_queries):
    users = [UserFactory() for _ in range(5)]
    for user in users:
        RegistrationFactory(user=user, exchange=ExchangeFactory(starts_at=timezone.now() + timedelta(days=5)))
    RegistrationFactory(user=users[0], exchange=ExchangeFactory(starts_at=timezone.now() + timedelta(days=60)))
    with django_assert_num_queries(3):
        result = digest.digest_member_items(user_ids=[u.pk for u in users], now=timezone.now())
    assert all(len(result[u.pk]) == 1 for u in users)
    assert result[users[0].pk][0]["section"] == "reminders"
