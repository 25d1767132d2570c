"""What the reporter's mailbox pages say, in Dutch and English (merged into
`texts.TEXTS`)."""

from __future__ import annotations

from typing import Any

MAILBOX_NL: dict[str, Any] = {
    "mailbox_title": "Uw berichtenbox",
    "mailbox_intro": "Vul de code in die u kreeg toen u uw melding deed.",
    "receipt_field": "Uw code (16 cijfers)",
    "receipt_hint": "Spaties mogen, bijvoorbeeld 1234 5678 9012 3456.",
    "open": "Berichtenbox openen",
    "mailbox_error": {
        "receipt": "Deze code kennen wij niet. Controleer de 16 cijfers en probeer het "
                   "opnieuw.",
        "body": "Schrijf een bericht (hoogstens 20.000 tekens).",
        "session": "Uw berichtenbox is gesloten omdat het te lang geleden is. Vul uw code "
                   "opnieuw in.",
        "too_many": "Te veel pogingen. Wacht een kwartier en probeer het dan opnieuw.",
        "closed": "De behandeling is afgerond; u kunt geen berichten meer sturen.",
        "form": "Dit formulier is verlopen of al verstuurd. Probeer het opnieuw.",
        "corrections": "Schrijf wat er anders moet (hoogstens 20.000 tekens).",
        "record": "Dit verslag is al beantwoord of er is een nieuwere versie.",
        "meeting": "U heeft al een gesprek aangevraagd.",
        "consent": "De behandeling is afgerond; uw antwoord kan niet meer worden vastgelegd.",
    },
    "purposes": {"acknowledgement": "ontvangstbevestiging", "feedback": "terugkoppeling"},
    "status_label": "Stand van zaken",
    "statuses": {
        "received": "Uw melding is ontvangen.",
        "acknowledged": "Uw melding is ontvangen en bevestigd.",
        "feedback_given": "U heeft bericht gekregen over wat er met uw melding gebeurt.",
        "closed": "De behandeling van uw melding is afgerond. U kunt geen berichten meer "
                  "sturen.",
    },
    "status_other": "Uw melding is in behandeling.",
    "messages_title": "Berichten",
    "no_messages": "Er zijn nog geen berichten.",
    "files_title": "Bestanden",
    "file_not_cleaned": "niet opgeschoond",
    "from": {"meldpunt": "Meldpunt", "reporter": "U", "confidential_adviser":
             "Vertrouwenspersoon"},
    "reply_label": "Uw antwoord of aanvullende informatie",
    "send": "Bericht versturen",
    "sent": "Uw bericht is verstuurd.",
    "close_hint": "Klaar? Sluit dan dit venster, zeker op een gedeelde computer.",
    "record_title": "Verslag van uw melding",
    "record_intro": "U heeft uw melding mondeling of in een gesprek gedaan. Dit is het "
                    "verslag ervan. Klopt het? Keur het dan goed. Zo niet, schrijf wat er "
                    "anders moet; u krijgt dan een nieuwe versie.",
    "record_version": "Versie",
    "record_statuses": {
        "awaiting_reporter": "Wacht op uw goedkeuring of correcties.",
        "corrections_sent": "U heeft correcties gestuurd; er komt een nieuwe versie.",
        "approved": "U heeft dit verslag goedgekeurd.",
    },
    "record_approve": "Verslag goedkeuren",
    "record_corrections_label": "Wat moet er anders in het verslag?",
    "record_correct": "Correcties versturen",
    "record_answered": "Uw antwoord op het verslag is verstuurd.",
    "consent_title": "Uw naam en gegevens",
    "consent_question": "Alleen het meldpunt ziet uw naam en contactgegevens. Mag het "
                        "meldpunt ze doorgeven als dat nodig is, bijvoorbeeld aan de "
                        "onderzoekers? U kunt uw antwoord altijd veranderen.",
    "consent_statuses": {
        None: "U heeft nog niet geantwoord: alleen het meldpunt ziet uw gegevens.",
        True: "U heeft toestemming gegeven om uw gegevens door te geven.",
        False: "U heeft geen toestemming gegeven: alleen het meldpunt ziet uw gegevens.",
    },
    "consent_yes": "Ja, dat mag",
    "consent_no": "Nee, alleen het meldpunt",
    "consent_recorded": "Uw antwoord is vastgelegd.",
    "meeting_title": "Een gesprek",
    "meeting_intro": "Wilt u uw melding liever in een gesprek toelichten? Vraag het hier aan.",
    "meeting_request": "Gesprek aanvragen",
    "meeting_requested": "U heeft een gesprek aangevraagd. Het meldpunt neemt contact "
                         "met u op.",
}

MAILBOX_EN: dict[str, Any] = {
    "mailbox_title": "Your mailbox",
    "mailbox_intro": "Enter the code you were given when you made your report.",
    "receipt_field": "Your code (16 digits)",
    "receipt_hint": "Spaces are fine, for example 1234 5678 9012 3456.",
    "open": "Open mailbox",
    "mailbox_error": {
        "receipt": "We do not know this code. Check the 16 digits and try again.",
        "body": "Write a message (at most 20,000 characters).",
        "session": "Your mailbox was closed because it was open too long. Enter your code "
                   "again.",
        "too_many": "Too many attempts. Wait a quarter of an hour and try again.",
        "closed": "The handling has been completed; you can no longer send messages.",
        "form": "This form has expired or was already sent. Please try again.",
        "corrections": "Write what should change (at most 20,000 characters).",
        "record": "This record was answered already, or there is a newer version.",
        "meeting": "You asked for a meeting already.",
        "consent": "The handling has been completed; your answer can no longer be recorded.",
    },
    "purposes": {"acknowledgement": "acknowledgement of receipt", "feedback": "feedback"},
    "status_label": "Where things stand",
    "statuses": {
        "received": "Your report has been received.",
        "acknowledged": "Your report has been received and acknowledged.",
        "feedback_given": "You have been told what is being done with your report.",
        "closed": "The handling of your report has been completed. You can no longer send "
                  "messages.",
    },
    "status_other": "Your report is being handled.",
    "messages_title": "Messages",
    "no_messages": "There are no messages yet.",
    "files_title": "Files",
    "file_not_cleaned": "not cleaned",
    "from": {"meldpunt": "Reporting office", "reporter": "You", "confidential_adviser":
             "Confidential adviser"},
    "reply_label": "Your answer or additional information",
    "send": "Send message",
    "sent": "Your message has been sent.",
    "close_hint": "Done? Close this window, certainly on a shared computer.",
    "record_title": "Record of your report",
    "record_intro": "You made your report orally or in a meeting. This is its record. Is "
                    "it correct? Then approve it. If not, write what should change; you "
                    "will get a new version.",
    "record_version": "Version",
    "record_statuses": {
        "awaiting_reporter": "Waiting for your approval or corrections.",
        "corrections_sent": "You sent corrections; a new version will follow.",
        "approved": "You approved this record.",
    },
    "record_approve": "Approve the record",
    "record_corrections_label": "What should change in the record?",
    "record_correct": "Send corrections",
    "record_answered": "Your answer to the record has been sent.",
    "consent_title": "Your name and details",
    "consent_question": "Only the reporting office sees your name and contact details. "
                        "May it pass them on where needed, for example to the "
                        "investigators? You can always change your answer.",
    "consent_statuses": {
        None: "You have not answered yet: only the reporting office sees your details.",
        True: "You gave consent to pass your details on.",
        False: "You did not give consent: only the reporting office sees your details.",
    },
    "consent_yes": "Yes, that is fine",
    "consent_no": "No, only the reporting office",
    "consent_recorded": "Your answer has been recorded.",
    "meeting_title": "A meeting",
    "meeting_intro": "Would you rather explain your report in a meeting? Ask for one here.",
    "meeting_request": "Ask for a meeting",
    "meeting_requested": "You asked for a meeting. The reporting office will contact you.",
}
