"""The restore drill: back up, destroy, restore, then the same rows and the same feed, byte for
byte. On the database the suite runs on (PostgreSQL: pg_dump/pg_restore; SQLite: its backup
API)."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core.backup import BackupError, restore_database
from directory.models import Service


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.mark.django_db(transaction=True)
def test_back_up_destroy_restore_gives_the_same_rows_and_feed(tmp_path, client):
    # Another transactional test run before this one on the same worker flushes the database,
    # and with it the default feed a migration made: make it as that migration does.
    default_feed = importlib.import_module(
        "publish.migrations.0002_search_indexes_and_default_feed"
    )
    default_feed.create_default_feed(apps, None)
    call_command("seed_demo", services=20, seed=5, stdout=io.StringIO())
    call_command("rebuild_snapshots", stdout=io.StringIO())
    counts = row_counts()
    feed = client.get("/api/v3/services", {"per_page": 1000, "full": "true"}).content
    assert counts["directory.Service"] == 20 and b'"total_items":' in feed

    backup = tmp_path / "portal.backup"
    out = io.StringIO()
    call_command("backup", str(backup), stdout=out)
    assert "Backed up the database" in out.getvalue() and backup.stat().st_size > 0

    call_command("flush", "--noinput")
    assert Service.objects.count() == 0

    call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    cache.clear()
    assert row_counts() == counts
    assert client.get("/api/v3/services", {"per_page": 1000, "full": "true"}).content == feed


def test_restore_asks_for_confirmation_and_a_real_file(tmp_path):
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(tmp_path / "x"))
    with pytest.raises(BackupError, match="There is no backup"):
        restore_database(tmp_path / "missing.backup")
