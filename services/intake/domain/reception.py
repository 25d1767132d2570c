"""How a melding registered on a reporter's behalf was received: by whom, when and how.

The terms run from the moment the organisation received the melding, not from its
registration; a registration long after that moment needs a reason on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from shared.contracts import Adviser, Channel, ReceivedHow
from shared.errors import Forbidden, InvalidInput
from shared.terms import local_date

#: A registration this long after the melding was received states why it came late.
REASON_NEEDED_AFTER = timedelta(days=3)


#: The channels a registering staff member's role files under: a melding's channel is
#: who registered it. A confidential adviser is either the integrity adviser (VPI) or
#: the conduct adviser (VPOO) and says which.
CHANNELS_OF_ROLE: Final[dict[str, tuple[Channel, ...]]] = {
    "manager": ("manager",),
    "meldpunt": ("meldpunt",),
    "confidential_adviser": ("confidential_adviser_integrity", "confidential_adviser_conduct"),
}


def registration_channel(role: str | None, claimed: str | None) -> Channel:
    """The channel of a melding: `web` for one a reporter files (`role` None), else the
    one of the registering staff member's role; `claimed` (the channel the request
    names, if any) must be that one."""
    if role is None:
        if claimed not in (None, "web"):
            raise InvalidInput("Only staff register a melding on a reporter's behalf.",
                               field="channel")
        return "web"
    own = CHANNELS_OF_ROLE.get(role, ())
    if not own or (claimed is not None and claimed not in own):
        raise Forbidden(f"A {role} registers a melding as {' or '.join(own) or 'nobody'}"
                        + (f", not as {claimed}." if claimed else "."),
                        action="melding.register_for_reporter")
    if claimed is not None:
        return own[own.index(claimed)]
    if len(own) != 1:
        raise InvalidInput(f"Name the channel you register as: {' or '.join(own)}.",
                           field="channel")
    return own[0]


def adviser_for(kind: str, channel: str) -> Adviser:
    """The confidential adviser an anonymous reporter's identity is sealed to: the one
    who registered the melding, else the conduct adviser (VPOO) for undesirable
    behaviour and the integrity adviser (VPI) for everything else."""
    if channel == "confidential_adviser_conduct":
        return "conduct"
    if channel == "confidential_adviser_integrity":
        return "integrity"
    return "conduct" if kind == "undesirable_behaviour" else "integrity"


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
