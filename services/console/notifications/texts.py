"""What the notification pages say, beside the console's own texts."""

from __future__ import annotations

from typing import Any

NOTIFICATION_TEXTS: dict[str, dict[str, Any]] = {
    "nl": {
        "title": "Meldingen per e-mail",
        "intro": "De console mailt u als er een melding binnenkomt, als een melder "
                 "reageert en als een termijn voor terugkoppeling nadert. De e-mail noemt "
                 "alleen een kenmerk, een datum en een link: nooit de inhoud van de "
                 "melding.",
        "delivery": "Hoe wilt u deze berichten krijgen?",
        "immediate": "Direct, een e-mail per bericht",
        "digest": "Een keer per dag, in een overzicht",
        "save": "Opslaan",
        "saved": "Uw keuze is opgeslagen.",
        "error": "Fout",
        "delivery_error": "Kies hoe u de berichten wilt krijgen",
        "mail_title": "Verstuurde e-mail (ontwikkeling)",
        "mail_intro": "Zonder SMTP-instellingen gaat de e-mail naar een bestand; hier "
                      "staan de berichten aan uw adres, nieuwste eerst.",
        "mail_none": "Er is nog geen e-mail aan u verstuurd.",
        "mail_link": "Verstuurde e-mail bekijken",
        "waiting": "{count} e-mail(s) wachten op verzending.",
        "reminders": "Termijnen voor terugkoppeling",
        "reminder": "Terugkoppeling op melding {ref} uiterlijk {day}",
        "in_digest": "{count} bericht(en) voor uw dagelijkse overzicht.",
    },
    "en": {
        "title": "Notifications by e-mail",
        "intro": "The console mails you when a melding comes in, when a reporter replies "
                 "and when a feedback term nears. The mail names only a reference, a date "
                 "and a link: never the melding's content.",
        "delivery": "How would you like to receive them?",
        "immediate": "At once, one mail each",
        "digest": "Once a day, in a digest",
        "save": "Save",
        "saved": "Your choice is saved.",
        "error": "Error",
        "delivery_error": "Choose how you would like to receive them",
        "mail_title": "Mail sent (development)",
        "mail_intro": "Without SMTP settings mail goes to a file; here are the mails to "
                      "your address, newest first.",
        "mail_none": "No mail has been sent to you yet.",
        "mail_link": "See the mail sent",
        "waiting": "{count} mail(s) waiting to be sent.",
        "reminders": "Feedback terms",
        "reminder": "Feedback on melding {ref} is due on {day}",
        "in_digest": "{count} notice(s) for your daily digest.",
    },
}
