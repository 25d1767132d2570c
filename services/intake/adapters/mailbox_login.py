"""Logging into the reporter's mailbox with a receipt code.

An attempt that comes with a solved proof of work (the page's JavaScript, or an API
client) costs its sender CPU time and is not limited per address: whoever shares a
proxy, a school's or an office's network with a guesser can still log in. An attempt
without one (a browser without JavaScript) counts against a strict limit of failures
per client address. The logins that do reach a melding are counted per melding, which
slows down a code that leaked and is tried from many addresses. Every refusal reads
the same whether or not a code exists. See docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from services.intake.adapters.mailbox_tokens import MailboxTokens
from services.intake.adapters.proof_of_work import ProofOfWork
from services.intake.adapters.rate_limit import AttemptCounter
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
        find_by_receipt: Callable[[str], UUID | None],
        tokens: MailboxTokens,
        *,
        proof_of_work: ProofOfWork,
        failures_per_client: AttemptCounter,
        logins_per_melding: AttemptCounter,
    ) -> None:
        self.find_by_receipt = find_by_receipt
        self.tokens = tokens
        self.proof_of_work = proof_of_work
        self._failures = failures_per_client
        self._logins = logins_per_melding

    def login(self, code: str, client: str, proof: tuple[str, str] | None = None) -> str:
        """A mailbox token for the melding the code opens. `proof` is a challenge and
        its solution; without a valid one the attempt counts against the client."""
        proven = proof is not None and self.proof_of_work.check(*proof)
        # Taken before the code is checked, so parallel attempts cannot pass the limit.
        if not proven and not self._failures.acquire(client):
            raise TooManyAttempts(SLOW_DOWN)
        melding_id = self.find_by_receipt(code)
        if melding_id is None:
            raise ReceiptRefused(REFUSED)
        if not proven:
            self._failures.release(client)  # a right code is no failure
        if not self._logins.acquire(str(melding_id)):
            raise TooManyAttempts(SLOW_DOWN)
        return self.tokens.issue(melding_id)
