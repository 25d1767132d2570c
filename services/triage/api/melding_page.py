"""A melding with what a staff member's page of it shows from triage, read in one
request: the melding (its identity read recorded, its replies marked read for the
meldpunt, as `GET /api/meldingen/{id}` does), its notes, its protection, and, where the
reader's role may have them, its feedback templates and its files. The melding is
read once and its need-to-know rule (`shared.authz.may_see`) checked once; each part
beyond it is the one its own endpoint gives, for the roles that endpoint allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.triage.application import TriageApplication
from services.triage.desk.application import notes_of, opened
from services.triage.domain.report import Report
from services.triage.files.application import files_of
from services.triage.protection.application import protection_of
from services.triage.protection.domain.protection import Protection
from shared.auth import Principal
from shared.authz import is_allowed
from shared.contracts import FeedbackOccasion, Language


@dataclass(frozen=True)
class MeldingPage:
    report: Report
    identity: dict[str, Any] | None
    notes: list[dict[str, Any]]
    protection: Protection
    #: None where the role may not write to the reporter (`melding.message_reporter`).
    templates: tuple[Language, dict[FeedbackOccasion, str]] | None
    #: None where the role may not see the files (`melding.read_attachments`).
    files: list[dict[str, Any]] | None


def melding_page(triage: TriageApplication, melding_id: UUID,
                 principal: Principal) -> MeldingPage:
    """The page's parts for a reader the route let `melding.read`; 404 alike for no
    melding and one not theirs to see, 410 for a shredded one."""
    report, identity = triage.read(melding_id, principal)
    opened(triage, report, principal)
    role = principal.role
    return MeldingPage(
        report=report, identity=identity, notes=notes_of(triage, report.id),
        protection=protection_of(triage, report.id),
        templates=(triage.templates_for(report)
                   if is_allowed(role, "melding.message_reporter") else None),
        files=(files_of(triage, report.id)
               if is_allowed(role, "melding.read_attachments") else None))
