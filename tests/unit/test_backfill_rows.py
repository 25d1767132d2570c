"""The backfill's rows (`services.triage.adapters.backfill_table`) as a start leaves
them: applying the events after a stored position again, or a rebuild from every
event that stopped half way and began again, lists each file once, at its place."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from services.triage.adapters.backfill_table import Unshared
from services.triage.domain.report import Report
from services.triage.files.domain.files import MeldingFiles
from tests.unit.test_handling import NOW


def reporter_file(files: MeldingFiles, melding: UUID, sender: str = "reporter") -> str:
    attachment_id = str(uuid4())
    files.receive(melding_id=melding, attachment_id=attachment_id, name="a.txt", size=1,
                  content_type="text/plain", sha256="0" * 64, cleaned=True, chunks=1,
                  stored_by="triage", at=NOW, sender=sender)
    return attachment_id


def decided(melding: UUID, version: int) -> Any:
    return Report.Decided(originator_id=melding, originator_version=version, timestamp=NOW,
                          outcome=["investigation"], motivation="m", police_report_on=None,
                          theme="gifts", involved=[], assessed_by="mia", by="bert", at=NOW,
                          referral_to=None, police_report_motivation=None,
                          files_listed=False)


def test_the_events_applied_again_leave_the_rows_as_they_were() -> None:
    melding = uuid4()
    files = MeldingFiles(melding_id=melding)
    before = [reporter_file(files, melding), reporter_file(files, melding)]
    reporter_file(files, melding, sender="meldpunt")  # not the reporter's: not shared
    received = files.collect_events()
    after = MeldingFiles(melding_id=melding)
    reporter_file(after, melding)  # came after the decision: shared when it came
    later = after.collect_events()[1:]
    events = [*received, decided(melding, 5), *later]

    once = Unshared()
    once.apply_all(events)
    assert once.due() == {melding: before}

    # Applied again from the decision on (a crash before the position was stored).
    once.apply_all(events[4:])
    assert once.due() == {melding: before}

    # A rebuild that stopped after the later file and began again from the start.
    again = Unshared()
    again.apply_all(events)
    again.apply_all(events)
    assert again.due() == {melding: before}

    # Shared: no longer due, whatever is applied again.
    shares = MeldingFiles(melding_id=melding)
    shares.share(attachment_id=before[0], at=NOW)
    once.apply_all(shares.collect_events()[1:])
    once.apply_all(events)
    assert once.due() == {melding: before[1:]}
