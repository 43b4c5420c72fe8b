"""The one fragment cache (``core.cache``): what goes into a key, what retires a fragment, and
that no app keeps a cache of its own."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation

from core import cache
from core.policy import AUDIENCES, Audience
from core.signals import content_changed
from evidence.models import EvidenceRecord
from network.models import User
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.network import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


class Renders:
    """A render function that counts its calls and returns a fresh value each time."""

    def __init__(self, value=None):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value if self.value is not None else f"rendered {self.calls}"


def fragment(render, **kwargs):
    options = {"depends_on": ("network",), "audience": Audience.PUBLIC, **kwargs}
    return cache.fragment("probe", render=render, **options)


def test_a_second_load_is_served_from_the_cache():
    render = Renders()
    assert fragment(render) == "rendered 1"
    assert fragment(render) == "rendered 1"
    assert render.calls == 1


@pytest.mark.parametrize("audience", ["participants", "", "7", None, "Public"])
def test_only_the_policys_audiences_may_key_a_fragment(audience):
    with pytest.raises(ValueError, match="not an audience"):
        fragment(Renders(), audience=audience)


def test_every_audience_has_its_own_fragment():
    render = Renders()
    seen = {audience: fragment(render, audience=audience) for audience in AUDIENCES}
    assert len(set(seen.values())) == len(AUDIENCES)
    assert {audience: fragment(render, audience=audience) for audience in AUDIENCES} == seen


def test_a_namespace_nobody_bumps_is_refused():
    with pytest.raises(ValueError, match="declared namespaces"):
        fragment(Renders(), depends_on=("netwrok",))
    with pytest.raises(ValueError, match="declared namespaces"):
        fragment(Renders(), depends_on=())


def test_a_fragment_depending_on_several_namespaces_follows_each_of_them():
    render = Renders()
    depends_on = ("practice", "evidence", "exchanges", "network")
    first = fragment(render, depends_on=depends_on)
    for namespace in depends_on:
        cache.changed(namespace)
        again = fragment(render, depends_on=depends_on)
        assert again != first, namespace
        first = again
    # A namespace it does not depend on leaves it alone.
    cache.changed("search")
    assert fragment(render, depends_on=depends_on) == first


def test_language_time_zone_query_and_parts_are_in_the_key():
    render = Renders()
    base = fragment(render, query=QueryDict("a=1&b=2"), parts=(1,))
    # The same query in another order is the same query.
    assert fragment(render, query=QueryDict("b=2&a=1"), parts=(1,)) == base
    variants = [
        fragment(render, query=QueryDict("a=1%26b%3D2"), parts=(1,)),
        fragment(render, query=QueryDict("a=1&b=2"), parts=(2,)),
    ]
    with translation.override("sv"):
        variants.append(fragment(render, query=QueryDict("a=1&b=2"), parts=(1,)))
    with timezone.override(zoneinfo.ZoneInfo("Europe/Lisbon")):
        variants.append(fragment(render, query=QueryDict("a=1&b=2"), parts=(1,)))
    assert len({base, *variants}) == 5


def test_a_fragment_is_not_used_past_the_valid_until_given_before_rendering(monkeypatch):
    render = Renders()
    until = cache.end_of_today()
    first = fragment(render, valid_until=until)
    assert fragment(render, valid_until=until) == first
    # The next day's key differs; and even under the old key, the old value is not served.
    later = until + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert fragment(render, valid_until=until) != first
    assert fragment(render, valid_until=cache.end_of_today()) != first


def test_a_fragment_the_render_says_is_outdated_is_rendered_again(monkeypatch):
    now = timezone.now()
    values = iter(["upcoming", "past"])

    def render():
        return cache.Expiring(next(values), now + datetime.timedelta(minutes=5))

    assert fragment(render) == "upcoming"
    assert fragment(render) == "upcoming"
    monkeypatch.setattr(timezone, "now", lambda: now + datetime.timedelta(minutes=5))
    assert fragment(render) == "past"


def test_a_render_that_is_already_outdated_is_served_and_not_kept():
    render = Renders()
    past = timezone.now() - datetime.timedelta(seconds=1)
    assert fragment(render, valid_until=past) == "rendered 1"
    assert fragment(render, valid_until=past) == "rendered 2"


def test_end_of_today_is_the_next_local_midnight():
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")):
        end = cache.end_of_today()
        local = timezone.localtime(end)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
        assert local.date() == timezone.localdate() + datetime.timedelta(days=1)
        assert end > timezone.now()


def test_the_version_is_bumped_at_once_and_again_after_commit(django_capture_on_commit_callbacks):
    render = Renders()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        before = fragment(render)
        cache.changed("network")
        # At once: this transaction's own next read renders afresh.
        during = fragment(render)
        assert during != before
    # And after commit: whatever a concurrent request cached in between is retired too.
    assert len(callbacks) == 1
    callbacks[0]()
    assert fragment(render) != during


def test_content_changed_bumps_the_namespaces_that_watch_the_model():
    # As a service sends it after a write Django does not signal (a workflow step's update).
    record = EvidenceRecordFactory()
    render = Renders()
    first = fragment(render, depends_on=("evidence",))
    unrelated = fragment(render, depends_on=("exchanges",))
    content_changed.send(sender=EvidenceRecord, instance=record)
    assert fragment(render, depends_on=("evidence",)) != first
    assert fragment(render, depends_on=("exchanges",)) == unrelated


def test_a_login_stamp_bumps_nothing_but_a_name_change_does():
    user = UserFactory()
    render = Renders()
    first = fragment(render)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert fragment(render) == first
    User.objects.get(pk=user.pk).save()
    assert fragment(render) != first


def test_rendered_html_stays_safe_through_the_cache():
    from django.utils.safestring import SafeString, mark_safe

    render = Renders(mark_safe("<p>shared</p>"))
    fragment(render)
    assert isinstance(fragment(render), SafeString)


def test_content_addressed_values_survive_version_bumps():
    render = Renders()
    first = cache.content_cached("markdown", "Some *text*", render=render)
    cache.changed("practice")
    assert cache.content_cached("markdown", "Some *text*", render=render) == first
    assert cache.content_cached("markdown", "Other *text*", render=render) != first
    assert cache.content_cached("anchors", "Some *text*", render=render) != first


def test_with_the_cache_unreachable_fragments_render_and_bumps_do_not_raise(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    render = Renders()
    assert fragment(render) == "rendered 1"
    assert fragment(render) == "rendered 2"
    with transaction.atomic():
        cache.changed("network")
    assert cache.content_cached("markdown", "x", render=render) == "rendered 3"


# Modules that may talk to Django's cache directly: the mechanism itself. (Rate limits are
# allauth's; ``django.views.decorators.cache`` sets HTTP headers and caches nothing.)
ALLOWED = {"core/cache.py"}
APPS = ["core", "network", "exchanges", "evidence", "practice", "digests", "outbox", "config", "search"]
DIRECT_CACHE = re.compile(r"^\s*from django\.core\.cache import|^\s*import django\.core\.cache|caches\[", re.M)
SPLICE = re.compile(r"\.sub\(")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else []:
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, path.read_text(encoding="utf-8")


def test_no_app_keeps_a_cache_of_its_own():
    offenders = [path for path, text in _sources() if DIRECT_CACHE.search(text) and path not in ALLOWED]
    assert offenders == []


def test_no_view_splices_anything_into_rendered_html():
    # Per-viewer parts are drawn by templates around cached fragments, never substituted in.
    offenders = [path for path, text in _sources() if path.endswith("views.py") and SPLICE.search(text)]
    assert offenders == []
