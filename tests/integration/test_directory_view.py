"""Triage and investigation keep a local view of the console's staff directory, fed by
its `staff_*` events over a real nats-server: function and manager as added, roles
as changed, and a disabled account no longer found."""

from __future__ import annotations

from shared.config import Settings
from shared.directory import Directory
from tests.consoleflows import add
from tests.support import eventually, running


async def test_triage_and_investigation_follow_the_directory(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    async with running("console", settings) as console, \
            running("triage", settings) as triage, \
            running("investigation", settings) as investigation:
        directories: list[Directory] = [triage.application.directory,
                                        investigation.application.directory]
        # The console adds a secretary and a manager who reports to her.
        add(console.application, "sara", "competent_authority", function="secretary")
        add(console.application, "mark", "manager", reports_to="sara")

        def both_listed() -> bool:
            return all(d.find("mark") is not None for d in directories)

        await eventually(both_listed)
        for directory in directories:
            mark = directory.find("MARK")  # login names are compared normalised
            assert mark is not None and mark.reports_to == "sara"
            assert [p.sub for p in directory.with_function("secretary")] == ["sara"]

        # Roles change, and a disabled account is no longer anyone's to route to.
        console.application.change_roles("mark", ["manager", "investigator"], by="test")
        console.application.disable("sara", by="test")

        def both_changed() -> bool:
            return all(d.find("sara") is None and (mark := d.find("mark")) is not None
                       and "investigator" in mark.roles for d in directories)

        await eventually(both_changed)
        assert all(d.with_function("secretary") == [] for d in directories)


async def test_the_directory_view_is_rebuilt_from_the_store(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    async with running("console", settings) as console, running("triage", settings) as triage:
        add(console.application, "ivan", "investigator")
        await eventually(lambda: triage.application.directory.find("ivan") is not None)
    # A restarted triage reads its own store: no console needed.
    async with running("triage", settings) as triage:
        ivan = triage.application.directory.find("ivan")
        assert ivan is not None and ivan.roles == ("investigator",)
