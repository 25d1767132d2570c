"""The mails themselves, written from a notice or a digest alone: what happened, the
melding's short reference, a date, a link to the console. Nothing of the melding's
content (description, theme, names, involved persons) is in a notice, so none can
be in a mail; the text says why. Dutch first, then English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.console.notifications.domain.notices import Digest, Notice

SUBJECTS: dict[str, tuple[str, str]] = {
    "melding_received": ("Nieuwe melding {ref}", "New melding {ref}"),
    "melding_routed": ("Melding {ref} is aan u toegewezen als bevoegd gezag",
                       "Melding {ref} is routed to you as competent authority"),
    "reporter_replied": ("De melder heeft gereageerd op melding {ref}",
                         "The reporter replied on melding {ref}"),
    "record_approved": ("De melder keurde het verslag van melding {ref} goed",
                        "The reporter approved the record of melding {ref}"),
    "record_corrected": ("De melder stuurde correcties op het verslag van melding {ref}",
                         "The reporter sent corrections to the record of melding {ref}"),
    "feedback_due_soon": ("Terugkoppeling op melding {ref} uiterlijk {due}",
                          "Feedback on melding {ref} is due on {due}"),
    "feedback_due_today": ("Terugkoppeling op melding {ref} vandaag uiterlijk {due}",
                           "Feedback on melding {ref} is due today, {due}"),
    "response_term_lapsed": ("De termijn voor een zienswijze in het onderzoek van melding "
                             "{ref} is verstreken ({due})",
                             "An investigation's response term lapsed: melding {ref} "
                             "({due})"),
}
#: Where a mail's link goes: the melding's page, or for a case's news the case's (an
#: investigator may see the case and not the melding).
CASE_OCCASIONS = frozenset({"response_term_lapsed"})
NO_CONTENT = ("Deze e-mail bevat met opzet niets van de inhoud van de melding: een "
              "mailbox is geen veilige plek. Lees de melding in de console.\n"
              "This mail deliberately holds nothing of the melding's content: a mailbox "
              "is not a safe place. Read the melding in the console.")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    #: The same for every attempt, so a receiving system can tell a resend.
    message_id: str


def short_reference(melding_id: str) -> str:
    """How staff name a melding in a mail: the first 8 characters of its id."""
    return melding_id.replace("-", "")[:8].upper()


def _lines(occasion: str, melding_id: str, due: str, console_url: str) -> list[str]:
    values = {"ref": short_reference(melding_id), "due": due}
    dutch, english = (text.format(**values) for text in SUBJECTS[occasion])
    page = "cases" if occasion in CASE_OCCASIONS else "meldingen"
    return [f"{dutch}\n{english}", f"{console_url.rstrip('/')}/{page}/{melding_id}"]


def _message_id(aggregate_id: UUID, console_url: str) -> str:
    host = console_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "meldingen"
    return f"<{aggregate_id}@{host}>"


def notice_mail(notice: Notice, console_url: str) -> Mail:
    due = notice.due.isoformat() if notice.due else ""
    subject = SUBJECTS[notice.occasion][0].format(ref=short_reference(notice.melding_id),
                                                  due=due)
    body = "\n\n".join([*_lines(notice.occasion, notice.melding_id, due, console_url),
                        NO_CONTENT])
    return Mail(notice.email, f"Meldingen: {subject}", body + "\n",
                _message_id(notice.id, console_url))


def digest_mail(digest: Digest, console_url: str) -> Mail:
    parts = ["\n".join(_lines(item["occasion"], item["melding_id"], item["due"],
                              console_url)) for item in digest.items]
    day: date = digest.day
    header = (f"Overzicht van {day.isoformat()}: {len(parts)} bericht(en)\n"
              f"Digest of {day.isoformat()}: {len(parts)} notice(s)")
    return Mail(digest.email, f"Meldingen: overzicht van {day.isoformat()}",
                "\n\n".join([header, *parts, NO_CONTENT]) + "\n",
                _message_id(digest.id, console_url))
