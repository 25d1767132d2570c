"""What the melding page says of the closing feedback the meldpunt writes once the
melding is closed, and the home page's reminders of it. Dutch by default, English with
the switch."""

from __future__ import annotations

from typing import Any

NL: dict[str, Any] = {
    "closing_feedback_title": "Afsluitende terugkoppeling aan de melder",
    "closing_feedback_due": "Schrijf de terugkoppeling uiterlijk {due_by}; de melder "
                            "leest uw tekst in de berichtenbox.",
    "closing_feedback_overdue": "De termijn voor de terugkoppeling is verstreken op "
                                "{due_by}.",
    "closing_feedback_advice": "Wat het bevoegd gezag of het onderzoek schreef (een advies, "
                               "niet zo verstuurd)",
    "closing_feedback_body": "Uw terugkoppeling, in de taal van de melder",
    "closing_feedback_send": "Terugkoppeling versturen",
    "closing_done": {"closing-feedback": "De afsluitende terugkoppeling staat in de "
                                         "berichtenbox van de melder."},
    "closing_due_only": "Alleen met een afsluitende terugkoppeling te schrijven",
    "home_closing_feedback": "Meldingen met een afsluitende terugkoppeling te schrijven: "
                             "{count}",
    "home_closing": "Afsluitende terugkoppeling bij melding {ref}: uiterlijk {day}",
    "home_closing_overdue": "Afsluitende terugkoppeling bij melding {ref}: termijn "
                            "verstreken op {day}",
    "field_errors": {"closing_feedback": "Schrijf de terugkoppeling, zonder […] erin"},
}

EN: dict[str, Any] = {
    "closing_feedback_title": "Closing feedback to the reporter",
    "closing_feedback_due": "Write the feedback by {due_by}; the reporter reads your text "
                            "in the mailbox.",
    "closing_feedback_overdue": "The term for the feedback passed on {due_by}.",
    "closing_feedback_advice": "What the competent authority or the investigation wrote "
                               "(advice, not sent as it is)",
    "closing_feedback_body": "Your feedback, in the reporter's language",
    "closing_feedback_send": "Send the feedback",
    "closing_done": {"closing-feedback": "The closing feedback is in the reporter's "
                                         "mailbox."},
    "closing_due_only": "Only with a closing feedback to write",
    "home_closing_feedback": "Meldingen with a closing feedback to write: {count}",
    "home_closing": "Closing feedback for melding {ref}: by {day}",
    "home_closing_overdue": "Closing feedback for melding {ref}: term passed on {day}",
    "field_errors": {"closing_feedback": "Write the feedback, without […] in it"},
}
