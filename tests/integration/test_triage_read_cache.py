"""Triage keeps the meldingen it read as aggregates in memory (issue 23: a melding
page's read replays and decrypts nothing it read before), and still serves exactly
what its store holds: a write by another replica on the same store is seen at the
next read, every read of a named reporter's identity is still recorded, and after
shredding nothing of the melding is served or held."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import LRUCache

from services.triage.adapters.closed_table import ClosedMeldingen
from services.triage.adapters.purge_table import PendingPurges
from services.triage.adapters.retention import RetentionCheck
from services.triage.application import TriageApplication
from services.triage.bootstrap import build_application
from services.triage.desk.application import notes_of, write_note
from services.triage.domain.commands import Assessment
from services.triage.domain.report import Report
from shared.auth import Principal
from shared.errors import Shredded
from shared.recorders import core_events
from shared.retention import RetentionTerms
from tests.support import make_settings

MELDPUNT = Principal(sub="mia", role="meldpunt")
NAME = "Jan Jansen"
DESCRIPTION = "Een leverancier gaf een blauwe bakfiets."
INADMISSIBLE = Assessment(admissible=False, reasonable_grounds=False, code_violation=False,
                          severity="low", theme="other", advice="no_action",
                          motivation="Buiten de regeling.", feedback="Wij behandelen dit niet.")


def held(app: TriageApplication) -> dict[Any, Any]:
    """The aggregates the app's repository holds in memory, by id."""
    cache = app.repository.cache
    assert isinstance(cache, LRUCache)
    return {key: link[LRUCache.RESULT] for key, link in cache.cache.items()}


def filed(app: TriageApplication) -> UUID:
    now = datetime.now(UTC)
    report = Report(melding_id=uuid4(), kind="integrity_violation", theme="gifts",
                    channel="web", description=DESCRIPTION, involved=["P. de Vries"],
                    occurred=None, anonymous=False, identity={"name": NAME},
                    received_at=now, acknowledged_at=now)
    app.save(report)
    return UUID(str(report.id))


def test_a_read_melding_is_kept_up_to_date_and_forgotten_when_shredded(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", "nats://127.0.0.1:1", retention_days=0,
                             meldpunt_closes_inadmissible=True)
    # Two replicas of triage on one store.
    one, other = build_application(settings), build_application(settings)
    melding_id = filed(one)
    write_note(one, melding_id, "Notitie over de paarse envelop.", MELDPUNT)

    # The meldpunt reads it twice on the first: the second read comes from memory, and
    # is recorded all the same (the identity is shown only with its read on the log).
    for reads in (1, 2):
        report, identity = one.read(melding_id, MELDPUNT)
        assert identity == {"name": NAME}
        assert len(report.identity_reads) == reads
    assert melding_id in held(one)
    assert [n["body"] for n in notes_of(one, melding_id)] == ["Notitie over de paarse envelop."]

    # The other replica closes it: the first's next read shows it closed at once, with
    # the other's writes and its own third read of the identity.
    other.assess(melding_id, INADMISSIBLE, MELDPUNT)
    report, _ = one.read(melding_id, MELDPUNT)
    assert report.status == "closed" and len(report.identity_reads) == 3

    # Shredding (a 0-day term) on the first: its memory holds nothing of the melding,
    # and neither replica serves any of it.
    engine = core_events(one.recorder).engine()
    check = RetentionCheck(one, ClosedMeldingen(engine), RetentionTerms.from_settings(settings),
                           check_every=3600, purges=PendingPurges(engine))
    assert check.shred(melding_id) is not None
    assert held(one) == {}  # the melding, and its notes' aggregate
    for replica in (one, other):
        with pytest.raises(Shredded):
            replica.read(melding_id, MELDPUNT)
        kept = repr([vars(a) for a in held(replica).values()])
        assert NAME not in kept and "bakfiets" not in kept and "paarse" not in kept
