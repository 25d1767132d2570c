"""What leaves triage: the integration event each domain event becomes on the outbox,
with the melding's parties as they stood at that event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from services.triage.files.application import for_case, shared_event
from services.triage.files.domain.files import sent_event
from services.triage.protection.domain.protection import Protection
from shared.contracts import (
    CompetentAuthorityAssigned,
    IntegrationEvent,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingRecused,
    MeldingReopened,
    MeldingShredded,
    PoliceReportRecorded,
    ReporterMessaged,
    ReprisalComplaintRecorded,
    opens_case,
)

if TYPE_CHECKING:
    from services.triage.application import TriageApplication


def integration_event(application: TriageApplication, domain_event: Any) -> IntegrationEvent | None:
    melding_id = str(domain_event.originator_id)
    if file_event := sent_event(domain_event) or shared_event(application, domain_event):
        return file_event
    if isinstance(domain_event, Report.Assessed):
        e = domain_event
        # The melding as the assessment left it: its parties then.
        parties = application.parties(application.repository.get(e.originator_id,
                                                   version=e.originator_version))
        return MeldingAssessed(
            melding_id=melding_id, admissible=e.admissible,
            reasonable_grounds=e.reasonable_grounds, code_violation=e.code_violation,
            severity=e.severity, theme=e.theme, advice=e.advice, assessed_by=e.by, at=e.at,
            competent_authority=parties.competent_authority,
            excluded=list(parties.excluded),
        )
    if isinstance(domain_event, Report.Decided):
        return _decided(application, domain_event)
    if isinstance(domain_event, Report.Reassigned):
        return CompetentAuthorityAssigned(melding_id=melding_id, sub=domain_event.sub,
                                          at=domain_event.at)
    if isinstance(domain_event, Report.Reopened):
        return MeldingReopened(melding_id=melding_id, at=domain_event.at)
    if isinstance(domain_event, Report.PoliceReportRecorded):
        return PoliceReportRecorded(melding_id=melding_id, filed_on=domain_event.filed_on,
                                    at=domain_event.at)
    if isinstance(domain_event, Protection.ComplaintRecorded):
        return ReprisalComplaintRecorded(melding_id=str(domain_event.melding_id),
                                         at=domain_event.at)
    if isinstance(domain_event, Report.Recused):
        return MeldingRecused(melding_id=melding_id, sub=domain_event.by,
                              at=domain_event.at)
    if isinstance(domain_event, Report.MessageSent):
        return ReporterMessaged(melding_id=melding_id, body=domain_event.body,
                                purpose=domain_event.purpose, at=domain_event.at)
    if isinstance(domain_event, Retained.Shredded):
        return MeldingShredded(melding_id=melding_id, shredded_at=domain_event.at,
                               term=domain_event.term)
    if isinstance(domain_event, Report.Closed):
        return MeldingClosed(melding_id=melding_id, reason=domain_event.reason,
                             at=domain_event.at)
    return None

def _decided(application: TriageApplication, decided: Any) -> MeldingDecided:
    # The melding as it stood at the decision: its parties then, for investigation.
    report: Report = application.repository.get(decided.originator_id,
                                         version=decided.originator_version)
    parties = application.parties(report)
    return MeldingDecided(
        melding_id=str(decided.originator_id), outcome=decided.outcome,
        theme=decided.theme, involved=decided.involved, assessed_by=decided.assessed_by,
        decided_by=decided.by, police_report_on=decided.police_report_on, at=decided.at,
        description=report.description if opens_case(decided.outcome) else "",
        attachments=for_case(application, decided),
        competent_authority=parties.competent_authority,
        excluded=list(parties.excluded),
    )
