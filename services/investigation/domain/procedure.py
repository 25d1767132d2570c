"""The case's procedure: which step is allowed in which status (`TRANSITIONS`, the one
table), where each path starts, and the checks every part of the case shares.

Each command checks the table before it records anything, and each event takes its
new status from it, so a refused command leaves no event behind. The two paths start
in different statuses, so the table alone keeps a conversation off the investigation
path and the other way around.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from eventsourcing.domain import Aggregate

from shared.contracts import CasePath
from shared.errors import InvalidInput, InvalidTransition

#: An investigation from its start to its final report: interim measures may be taken
#: (and postponing informing the person concerned makes sense) only while it runs.
INVESTIGATION_OPEN: Final = (
    "awaiting_investigators", "investigators_assigned", "planned", "interviewing",
    "gathering_evidence", "draft_reported", "heard", "final_reported")
#: Every status before the decision on measures, on either path.
BEFORE_DECISION: Final = ("awaiting_conversation", "conversation_held", *INVESTIGATION_OPEN)


def _stay(*statuses: str) -> dict[str, str]:
    return {s: s for s in statuses}


#: command -> {status it is allowed in: status it leads to}
TRANSITIONS: Final[dict[str, dict[str, str]]] = {
    # conversation path
    "record_conversation": {"awaiting_conversation": "conversation_held"},
    # the competent authority turns a conversation into an investigation
    "escalate": {"awaiting_conversation": "awaiting_investigators",
                 "conversation_held": "awaiting_investigators"},
    # investigation path, in the protocol's order
    "assign_investigators": {"awaiting_investigators": "investigators_assigned"},
    # once assigned, the team may change while the investigation is open
    "change_investigators": _stay(
        "investigators_assigned", "planned", "interviewing", "gathering_evidence",
        "draft_reported", "heard"),
    "record_plan": {"investigators_assigned": "planned"},
    # an interview may also follow evidence (it may raise new questions)
    "record_interview": {"planned": "interviewing", "interviewing": "interviewing",
                         "gathering_evidence": "gathering_evidence"},
    "comment_on_interview": _stay("interviewing", "gathering_evidence"),
    "add_evidence": {"interviewing": "gathering_evidence",
                     "gathering_evidence": "gathering_evidence"},
    # a revised draft (before or after the response) restarts the response term
    "issue_draft_report": {"gathering_evidence": "draft_reported",
                           "draft_reported": "draft_reported", "heard": "draft_reported"},
    "record_response": {"draft_reported": "heard"},
    "record_response_lapse": {"draft_reported": "heard"},
    "issue_final_report": {"heard": "final_reported"},
    # interim measures while the investigation runs; one kept by the final measures
    # may still be lifted after the close
    "take_interim_measure": _stay(*INVESTIGATION_OPEN),
    "lift_interim_measure": _stay(*INVESTIGATION_OPEN, "closed"),
    # the person concerned: informed (or, for the investigation's sake, not yet),
    # heard before the decision, may ask to see the file, is told the outcome
    "inform_person_concerned": _stay(*BEFORE_DECISION),
    "postpone_informing": _stay(*INVESTIGATION_OPEN),
    "record_hearing": _stay(*BEFORE_DECISION),
    "record_file_request": _stay(*BEFORE_DECISION, "closed"),
    "answer_file_request": _stay(*BEFORE_DECISION, "closed"),
    "tell_outcome": _stay("closed"),
    # both paths end in measures (possibly 'none')
    "take_measures": {"conversation_held": "closed", "final_reported": "closed"},
}

#: The person concerned's term to respond to the draft report (hoor en wederhoor) when
#: the case does not say otherwise: a case records its term when its draft is issued
#: (from `MELDINGEN_RESPONSE_TERM_DAYS`), so this is the term of drafts issued before.
DEFAULT_RESPONSE_TERM: Final = timedelta(days=14)


def path_of(outcome: list[str]) -> CasePath:
    """An investigation when decided on (it may include talks); otherwise a conversation."""
    return "investigation" if "investigation" in outcome else "conversation"


def first_status(path: CasePath) -> str:
    """Where each path starts: the table above takes it from there."""
    return "awaiting_investigators" if path == "investigation" else "awaiting_conversation"


def required(text: str, field: str) -> str:
    """A motivation (or another text) that may not be left empty: 422 naming it."""
    if not text.strip():
        raise InvalidInput(f"Give the {field.replace('_', ' ')}.", field=field)
    return text.strip()


class Procedure(Aggregate):
    """What every part of a case checks and records its steps with."""

    if TYPE_CHECKING:  # set by the case's opening (annotations here would be fields)
        status: str
        history: list[dict[str, Any]]

    @property
    def steps(self) -> list[str]:
        """The commands the table allows in the current status (what a page offers)."""
        return [command for command, moves in TRANSITIONS.items() if self.status in moves]

    def check_step(self, command: str) -> None:
        """409 unless `command` is possible now: for an application that checks this
        before it asks the outside world (the directory) about the command's input."""
        self._check(command)

    def _check(self, command: str) -> None:
        if self.status not in TRANSITIONS[command]:
            raise InvalidTransition(
                f"'{command}' is not possible while the case is {self.status}.",
                state=self.status)

    def _advance(self, command: str, what: str, by: str, at: datetime) -> None:
        self.status = TRANSITIONS[command][self.status]
        self.history.append({"what": what, "who": by, "at": at})
