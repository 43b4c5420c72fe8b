from datetime import timedelta

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from config.celery import app
from exchanges import tasks
from exchanges.models import Registration
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_beat_schedule_names_registered_tasks():
    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("exchanges-")}
    assert len(entries) == 4
    app.loader.import_default_modules()
    for entry in entries.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_tasks_call_their_services(settings):
    settings.EXCHANGE_SENSITIVE_RETENTION_DAYS = 1
    old = RegistrationFactory(
        exchange=ExchangeFactory(starts_at=timezone.now() - timedelta(days=5)), dietary_needs="Vegan"
    )
    soon = RegistrationFactory(exchange=ExchangeFactory(starts_at=timezone.now() + timedelta(hours=10)))
    assert tasks.sensitive_answers_erase.delay().get() == 1
    assert tasks.reminders_send.delay().get() == 1
    assert tasks.reflection_invitations_send.delay().get() == 1
    assert tasks.offers_expire.delay().get() == 0
    old.refresh_from_db()
    soon.refresh_from_db()
    assert old.dietary_needs == "" and soon.reminded_1d_at is not None
    assert soon.state == Registration.State.CONFIRMED


@pytest.mark.parametrize("n", [5, 60])
def test_home_block_in_one_query(django_assert_num_queries, n):
    for _ in range(n):
        ExchangeFactory()
    with django_assert_num_queries(1):
        html = render_to_string("exchanges/includes/home_block.html")
    assert html.count("<li>") == 3
