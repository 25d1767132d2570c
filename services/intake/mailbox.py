"""Logging into the reporter's mailbox with a receipt code.

A failed attempt names no melding (the hash of a wrong code matches nothing), so
failures are counted per client address; the logins that do reach a melding are
counted per melding, which slows down a code that leaked and is tried from many
addresses. Every refusal reads the same whether or not a code exists.
"""

from __future__ import annotations

from services.intake.adapters.mailbox_tokens import MailboxTokens
from services.intake.adapters.rate_limit import AttemptCounter
from services.intake.application import IntakeApplication
from shared.errors import DomainError


class ReceiptRefused(DomainError):
    status = 401
    title = "Unauthorized"


class TooManyAttempts(DomainError):
    status = 429
    title = "Too many requests"


REFUSED = "This receipt code does not open a mailbox."
SLOW_DOWN = "Too many attempts; wait a while before trying again."


class MailboxLogin:
    def __init__(
        self,
        intake: IntakeApplication,
        tokens: MailboxTokens,
        *,
        failures_per_client: AttemptCounter,
        logins_per_melding: AttemptCounter,
    ) -> None:
        self._intake = intake
        self.tokens = tokens
        self._failures = failures_per_client
        self._logins = logins_per_melding

    def login(self, code: str, client: str) -> str:
        """A mailbox token for the melding the code opens."""
        if self._failures.exhausted(client):
            raise TooManyAttempts(SLOW_DOWN)
        melding_id = self._intake.find_by_receipt(code)
        if melding_id is None:
            self._failures.count(client)
            raise ReceiptRefused(REFUSED)
        if self._logins.exhausted(str(melding_id)):
            raise TooManyAttempts(SLOW_DOWN)
        self._logins.count(str(melding_id))
        return self.tokens.issue(melding_id)
