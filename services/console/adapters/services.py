"""The four services the console's pages call, one typed client each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from services.console.adapters.calls import ServiceCaller
from services.console.adapters.intake import IntakeClient
from services.console.adapters.investigation import InvestigationClient
from services.console.adapters.reporting import ReportingClient
from services.console.adapters.signing import TokenSigner
from services.console.adapters.triage import TriageClient
from shared.config import Settings


@dataclass(frozen=True)
class Services:
    intake: IntakeClient
    triage: TriageClient
    investigation: InvestigationClient
    reporting: ReportingClient

    @classmethod
    def from_settings(cls, settings: Settings, signer: TokenSigner,
                      transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
                      ) -> Services:
        """`transports`: per service, a way to reach it other than its URL (tests hand
        in the services' apps themselves)."""
        given = transports or {}

        def caller(service: str) -> ServiceCaller:
            return ServiceCaller(service, settings.api_url_of(service), signer,
                                 given.get(service))

        return cls(intake=IntakeClient(caller("intake")),
                   triage=TriageClient(caller("triage")),
                   investigation=InvestigationClient(caller("investigation")),
                   reporting=ReportingClient(caller("reporting")))
