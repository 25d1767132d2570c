"""Per-melding keys on real databases (SQLite and PostgreSQL): a melding's key is
made where it is filed, travels sealed to another service, opens its fields there,
and once destroyed opens nothing anywhere, for good."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy

from shared.config import Settings
from shared.crypto import b64
from shared.datakeys import KeyringError
from shared.keyring import Keyring, MissingKey, Shredded, public_keys_of
from tests.support import make_settings

SHREDDED_ON = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return make_settings(tmp_path / "var", "nats://127.0.0.1:1", database_url)


def test_a_key_travels_sealed_and_opens_the_field_at_the_other_service(
        settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    triage = Keyring.for_service(settings, "triage")
    key = intake.create("m-1")
    description = key.encrypt("description", "De wethouder nam een fiets aan")

    sealed = intake.sealed_for(key, ["triage"], 1)
    assert set(sealed) == {"triage"}
    triage.adopt("m-1", sealed["triage"])
    assert triage.decrypt("m-1", "description", description) == (
        "De wethouder nam een fiets aan")
    # A redelivered event brings the same key again: nothing changes.
    triage.adopt("m-1", sealed["triage"])
    assert triage.key("m-1").secret == key.secret
    # Filing the same melding again (a retried request) keeps its first key.
    assert intake.create("m-1").secret == key.secret


def test_a_key_sealed_for_one_service_does_not_open_at_another(settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    reporting = Keyring.for_service(settings, "reporting")
    sealed = intake.sealed_for(intake.create("m-1"), ["triage"], 1)
    with pytest.raises(KeyringError):
        reporting.adopt("m-1", sealed["triage"])
    with pytest.raises(MissingKey):
        reporting.key("m-1")


def test_the_key_table_holds_no_key_in_the_clear_and_survives_a_restart(
        settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    key = intake.create("m-1")
    description = key.encrypt("description", "geheim")
    rows = _rows(intake)
    assert [row.melding_id for row in rows] == ["m-1"]
    assert key.secret not in rows[0].wrapped
    intake.store.dispose()

    again = Keyring.for_service(settings, "intake")
    assert again.decrypt("m-1", "description", description) == "geheim"


def test_after_destruction_every_use_answers_shredded_with_the_date(
        settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    triage = Keyring.for_service(settings, "triage")
    key = intake.create("m-1")
    description = key.encrypt("description", "geheim")
    sealed = intake.sealed_for(key, ["triage"], 1)["triage"]

    shredding = intake.destroy("m-1", SHREDDED_ON, "no_follow_up")
    assert (shredding.shredded_at, shredding.term) == (SHREDDED_ON, "no_follow_up")
    with pytest.raises(Shredded) as caught:
        intake.decrypt("m-1", "description", description)
    assert caught.value.shredded_at == SHREDDED_ON
    assert caught.value.term == "no_follow_up"
    assert "2031-03-04" in str(caught.value)
    # Neither a retried filing nor a replayed event brings the key back.
    with pytest.raises(Shredded):
        intake.create("m-1")
    assert _rows(intake)[0].wrapped is None

    # A service that shreds before the key reaches it refuses the key when it comes.
    triage.destroy("m-1", SHREDDED_ON, "no_follow_up")
    with pytest.raises(Shredded):
        triage.adopt("m-1", sealed)

    # Destroying again keeps the first date; the tombstone survives a restart.
    later = intake.destroy("m-1", datetime(2032, 1, 1, tzinfo=UTC), "referred")
    assert (later.shredded_at, later.term) == (SHREDDED_ON, "no_follow_up")
    intake.store.dispose()
    again = Keyring.for_service(settings, "intake")
    shredded = again.shredding("m-1")
    assert shredded is not None and shredded.shredded_at == SHREDDED_ON
    assert again.shredding("m-2") is None


def test_a_batch_of_new_keys_keeps_those_kept_already_and_refuses_shredded_ones(
        settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    first = intake.create("m-1")
    intake.create_many(["m-1", "m-2"])
    assert intake.for_new("m-1").secret == first.secret
    assert intake.key("m-1").secret == first.secret
    made = intake.key("m-2")
    intake.store.dispose()
    assert Keyring.for_service(settings, "intake").key("m-2").secret == made.secret

    intake.destroy("m-3", SHREDDED_ON, "referred")
    with pytest.raises(Shredded):
        intake.create_many(["m-3"])


def test_a_key_just_made_is_gone_from_memory_once_destroyed(settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    intake.create_many(["m-1"])
    intake.destroy("m-1", SHREDDED_ON, "referred")
    with pytest.raises(Shredded):
        intake.key("m-1")


def test_a_new_meldings_key_is_not_read_from_the_table_while_it_is_stored_and_relayed(
        settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    intake.create_many(["m-1"])
    selects: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    sqlalchemy.event.listen(intake.store.engine, "before_cursor_execute", count)
    # Filing stores its events (the first made the key), the relay reads the first
    # back and seals it: every one of these readings finds the key in memory.
    made = intake.for_new("m-1")
    assert all(intake.key("m-1").secret == made.secret for _ in range(3))
    assert selects == []
    intake.destroy("m-1", SHREDDED_ON, "referred")
    with pytest.raises(Shredded):
        intake.key("m-1")


def test_other_meldingen_stay_readable_after_one_is_shredded(settings: Settings) -> None:
    intake = Keyring.for_service(settings, "intake")
    kept = intake.create("m-keep").encrypt("description", "blijft")
    intake.create("m-gone")
    intake.destroy("m-gone", SHREDDED_ON, "inadmissible")
    assert intake.decrypt("m-keep", "description", kept) == "blijft"


def test_every_service_has_its_own_public_key(settings: Settings) -> None:
    keys = public_keys_of(settings)
    assert len(set(keys.values())) == len(keys) == 5


def test_configured_public_keys_are_used_the_last_being_current(tmp_path: Path) -> None:
    development = make_settings(tmp_path / "var", "nats://127.0.0.1:1")
    triage = public_keys_of(development)["triage"]
    text = f"triage AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ntriage {b64(triage)}"
    configured = make_settings(tmp_path / "var", "nats://127.0.0.1:1",
                               keyring_public_keys=text)
    assert public_keys_of(configured) == {"triage": triage}


def test_a_shredded_key_leaves_no_bytes_in_the_sqlite_files(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", "nats://127.0.0.1:1")
    database = settings.var_dir / "intake.sqlite"
    intake = Keyring.for_service(settings, "intake")
    with intake.store.engine.connect() as connection:  # as the event store leaves it
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    intake.create("m-1")
    wrapped = bytes(_rows(intake)[0].wrapped)
    assert wrapped in _contents(database)  # so that the check below can fail

    intake.destroy("m-1", SHREDDED_ON, "no_follow_up")
    assert wrapped not in _contents(database)


def _rows(keyring: Keyring) -> list[sqlalchemy.Row[tuple[object, ...]]]:
    with keyring.store.engine.connect() as connection:
        return list(connection.execute(keyring.store.table.select()).all())


def _contents(database: Path) -> bytes:
    return b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
