"""Filing over HTTP: the meldingen of concurrent requests stored together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.intake.adapters.group_commit import GroupCommit

if TYPE_CHECKING:  # the application is what this adapter drives, not what it needs
    from services.intake.application import Filed, IntakeApplication, Submission


class Filing:
    """Filing from a request: the melding is sealed and drafted on the event loop, then
    stored in one transaction with the meldingen of concurrent requests
    (`adapters.group_commit`), and the request is answered once it is stored. The API and
    the web form both file this way: one write path for every melding filed over HTTP."""

    def __init__(self, intake: IntakeApplication) -> None:
        self._intake = intake
        self._commits = GroupCommit(intake)

    async def file(self, submission: Submission) -> Filed:
        """As `IntakeApplication.file_report`; raises InvalidInput as that does."""
        draft = self._intake.draft_report(submission)
        await self._commits.save(*draft.aggregates)
        return draft.filed
