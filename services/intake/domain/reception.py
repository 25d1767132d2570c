"""How a melding registered on a reporter's behalf was received: by whom, when and how.

The terms run from the moment the organisation received the melding, not from its
registration; a registration long after that moment needs a reason on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.contracts import ReceivedHow
from shared.errors import InvalidInput
from shared.terms import local_date

#: A registration this long after the melding was received states why it came late.
REASON_NEEDED_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class Reception:
    """A staff member's receipt of a melding (absent for one the reporter filed)."""

    by: str
    at: datetime
    how: ReceivedHow
    reason: str | None = None


def reception_refusals(reception: Reception, *, registered_at: datetime,
                       occurred: date | None) -> list[InvalidInput]:
    found = []
    if reception.at > registered_at:
        found.append(InvalidInput("The moment it was received cannot lie in the future.",
                                  field="received_at"))
    elif registered_at - reception.at > REASON_NEEDED_AFTER and not reception.reason:
        found.append(InvalidInput(
            "A melding received more than 3 days ago needs the reason it is registered "
            "only now.", field="received_reason"))
    if occurred is not None and occurred > local_date(reception.at):
        found.append(InvalidInput("The day it happened cannot lie after the day it was "
                                  "received.", field="occurred"))
    return found
