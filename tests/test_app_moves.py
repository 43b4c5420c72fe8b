"""Models that moved between apps keep their rows, their content type and the permissions
granted on it: Invitation (network → invitations) and SearchEntry (practice → search).

The test migrates the database back to before the moves, writes rows there the way the old
code did, grants a permission on the old content type, and migrates forward again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from invitations.models import Invitation
from network.models import Role
from search.models import SearchEntry

BEFORE_THE_MOVES = [("invitations", None), ("search", None)]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.django_db(transaction=True)
def test_moved_models_keep_their_rows_content_types_and_permissions():
    try:
        _migrate(BEFORE_THE_MOVES)
        ContentType.objects.clear_cache()
        assert {"network_invitation", "practice_searchentry"} <= _tables()
        assert not {"invitations_invitation", "search_searchentry"} & _tables()
        assert "practice_searchentry_vector_gin" in _index_names("practice_searchentry")
        # The content types as the old code had them, and a permission granted on each.
        old_invitation_type = ContentType.objects.get_or_create(app_label="network", model="invitation")[0]
        old_entry_type = ContentType.objects.get_or_create(app_label="practice", model="searchentry")[0]
        group = Group.objects.get_or_create(name=Role.COORDINATOR)[0]
        wanted = [(old_invitation_type, "view_invitation"), (old_entry_type, "view_searchentry")]
        granted = [
            Permission.objects.get_or_create(content_type=type_, codename=codename, defaults={"name": codename})[0]
            for type_, codename in wanted
        ]
        group.permissions.add(*granted)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO network_invitation (email, name, role, language, message, state, token_hash,"
                " send_count, created_at, expires_at) VALUES (%s, %s, 'member', 'sv', '', 'sent', %s, 1, %s, %s)",
                ["amina@example.org", "Amina", "a" * 64, timezone.now(), timezone.now() + timedelta(days=14)],
            )
            cursor.execute(
                "INSERT INTO practice_searchentry (kind, object_id, language, config, title, summary, body, url,"
                " themes, countries, updated_at) VALUES ('guide', 7, 'en', 'english', 'Door knocking', '', '',"
                " '/practice/guides/door-knocking/', '[]', '[]', %s)",
                [timezone.now()],
            )
    finally:
        _migrate(None)
    ContentType.objects.clear_cache()

    assert {"invitations_invitation", "search_searchentry"} <= _tables()
    assert not {"network_invitation", "practice_searchentry"} & _tables()
    assert "search_searchentry_vector_gin" in _index_names("search_searchentry")
    invitation = Invitation.objects.get(email="amina@example.org")
    assert (invitation.name, invitation.state, invitation.language) == ("Amina", "sent", "sv")
    entry = SearchEntry.objects.get(kind="guide", object_id=7)
    assert entry.title == "Door knocking"
    # search 0003: the entry moved to our configuration, with its vector and folded title.
    assert (entry.config, entry.folded_title) == ("ll_english", "door knocking") and entry.vector
    # The same content type rows, relabelled: the permissions granted on them still hold.
    assert ContentType.objects.get_for_model(Invitation).pk == old_invitation_type.pk
    assert ContentType.objects.get_for_model(SearchEntry).pk == old_entry_type.pk
    assert not ContentType.objects.filter(app_label="network", model="invitation").exists()
    assert not ContentType.objects.filter(app_label="practice", model="searchentry").exists()
    assert {p.pk for p in Group.objects.get(name=Role.COORDINATOR).permissions.all()} >= {p.pk for p in granted}
    assert set(
        Permission.objects.filter(pk__in=[p.pk for p in granted]).values_list("content_type__app_label", "codename")
    ) == {("invitations", "view_invitation"), ("search", "view_searchentry")}
