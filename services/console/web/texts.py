"""What the console's pages say: Dutch by default, English with the switch."""

from __future__ import annotations

from typing import Any

from services.console.web import (
    words,
    words_cases,
    words_concerned,
    words_feedback,
    words_intake,
    words_protection,
    words_routing,
)

LANGUAGES = ("nl", "en")

NL: dict[str, Any] = {
    "site": "Meldingen: console",
    "skip": "Naar de inhoud",
    "other_language": ("en", "English"),
    "error": "Fout",
    "errors_title": "Er is iets niet goed ingevuld",
    "signin_title": "Inloggen",
    "signin_intro": "Log in met uw gebruikersnaam en wachtwoord. Daarna vraagt de console "
                    "de code uit uw authenticator-app.",
    "login": "Gebruikersnaam",
    "password": "Wachtwoord",
    "next": "Verder",
    "code_title": "Code uit uw authenticator-app",
    "code": "Code van zes cijfers",
    "code_hint": "De code die uw authenticator-app nu toont.",
    "signin": "Inloggen",
    "signin_oidc": "Inloggen via uw organisatie",
    "or": "of",
    "signout": "Uitloggen",
    "signed_out": "U bent uitgelogd.",
    "session_ended": "Uw sessie is verlopen. Log opnieuw in.",
    "failed": "Inloggen is niet gelukt. Controleer uw gebruikersnaam, wachtwoord en code.",
    "locked": "Dit account is na te veel mislukte pogingen tijdelijk geblokkeerd. "
              "Probeer het over 15 minuten opnieuw.",
    "oidc_unknown": "Uw organisatie kent u, maar u staat niet in het personeelsoverzicht "
                    "van meldingen. Vraag een beheerder om u toe te voegen.",
    "oidc_failed": "Inloggen via uw organisatie is niet gelukt. Probeer het opnieuw.",
    "form_expired": "Het formulier is verlopen of kwam niet van deze site. Probeer het "
                    "opnieuw.",
    "enrol_title": "Account instellen",
    "enrol_intro": "Welkom, {name}. Kies een wachtwoord en stel een authenticator-app in. "
                   "Daarna kunt u inloggen.",
    "new_password": "Nieuw wachtwoord",
    "new_password_hint": "Minstens 12 tekens. Een zin van een paar woorden is sterk en "
                         "goed te onthouden.",
    "totp_title": "Authenticator-app",
    "totp_intro": "Scan de QR-code met uw authenticator-app, of typ de sleutel over.",
    "totp_secret": "Sleutel",
    "qr_title": "QR-code met de sleutel voor uw authenticator-app",
    "enrol_code_hint": "De code die de app nu toont, om te controleren dat alles werkt.",
    "enrol_submit": "Account instellen",
    "enrolled": "Uw account is ingesteld. U kunt nu inloggen.",
    "link_used": "Deze link is al gebruikt. Vraag een beheerder om een nieuwe link.",
    "link_expired": "Deze link is verlopen (een link is 72 uur geldig). Vraag een "
                    "beheerder om een nieuwe link.",
    "link_unknown": "Deze link is niet geldig. Controleer of u de hele link hebt "
                    "overgenomen, of vraag een beheerder om een nieuwe.",
    "link_disabled": "Dit account is uitgeschakeld.",
    "field_errors": {
        "login": "Vul uw gebruikersnaam in",
        "password": "Vul uw wachtwoord in",
        "code": "Vul de code van zes cijfers in",
        "short": "Het wachtwoord moet minstens 12 tekens hebben",
        "weak": "Dit wachtwoord is te makkelijk te raden. Kies een langer wachtwoord of "
                "een zin van een paar woorden",
        "wrong_code": "De code klopt niet. Vul de code in die de app nu toont",
        "sub": "Vul een gebruikersnaam in van letters, cijfers of . _ - @",
        "sub_taken": "Deze gebruikersnaam is al in gebruik",
        "name": "Vul de naam in",
        "email": "Vul een geldig e-mailadres in",
        "roles": "Kies minstens één rol",
        "reports_to": "Deze leidinggevende staat niet in het overzicht",
    },
    "home_title": "Start",
    "welcome": "Welkom, {name}",
    "your_roles": "Uw rollen",
    "account": "Mijn account",
    "account_title": "Mijn account",
    "notifications": "Meldingen per e-mail",
    "roles": {
        "manager": "Leidinggevende",
        "confidential_adviser": "Vertrouwenspersoon",
        "meldpunt": "Intern meldpunt",
        "competent_authority": "Bevoegd gezag",
        "investigator": "Onderzoeker",
        "auditor": "Auditor",
        "administrator": "Beheerder",
    },
    "role_home": {
        "manager": "U kunt een melding doorgeven die u ontving. Die gaat naar het meldpunt.",
        "confidential_adviser": "U adviseert melders en kunt een anonieme melding "
                                "aannemen.",
        "meldpunt": "U beoordeelt nieuwe meldingen en adviseert het bevoegd gezag.",
        "competent_authority": "U besluit over meldingen die aan u zijn toegewezen.",
        "investigator": "U werkt aan de onderzoeken waarvoor u bent aangewezen.",
        "auditor": "U controleert de jaarcijfers en het gebeurtenissenlogboek.",
        "administrator": "U beheert de accounts van het personeel. Meldingen ziet u niet.",
    },
    "function": "Functie",
    "functions": {"secretary": "Gemeentesecretaris / algemeen directeur",
                  "mayor": "Burgemeester", "board_member": "Bestuurder",
                  "director": "Directeur"},
    "reports_to": "Leidinggevende",
    "email": "E-mailadres",
    "name": "Naam",
    "sub": "Gebruikersnaam",
    "none": "geen",
    "staff_title": "Personeel",
    "staff_add": "Iemand toevoegen",
    "staff_added": "{name} is toegevoegd. Geef deze link (72 uur geldig, één keer te "
                   "gebruiken) aan {name}:",
    "state": "Status",
    "states": {"enrolled": "Actief", "pending": "Nog niet ingesteld",
               "disabled": "Uitgeschakeld"},
    "disable": "Uitschakelen",
    "disabled_done": "{sub} is uitgeschakeld.",
    "function_hint": "Bijvoorbeeld: secretary, mayor, board_member, director, of vrije "
                     "tekst. Mag leeg blijven.",
    "reports_to_hint": "De gebruikersnaam van de leidinggevende. Mag leeg blijven.",
    "add": "Toevoegen",
    "forbidden": "Deze pagina is alleen voor beheerders.",
}

EN: dict[str, Any] = {
    "site": "Meldingen: console",
    "skip": "Skip to content",
    "other_language": ("nl", "Nederlands"),
    "error": "Error",
    "errors_title": "There is a problem",
    "signin_title": "Sign in",
    "signin_intro": "Sign in with your login name and password. The console then asks "
                    "for the code from your authenticator app.",
    "login": "Login name",
    "password": "Password",
    "next": "Continue",
    "code_title": "Code from your authenticator app",
    "code": "Six-digit code",
    "code_hint": "The code your authenticator app shows now.",
    "signin": "Sign in",
    "signin_oidc": "Sign in through your organisation",
    "or": "or",
    "signout": "Sign out",
    "signed_out": "You are signed out.",
    "session_ended": "Your session has ended. Please sign in again.",
    "failed": "Signing in did not work. Check your login name, password and code.",
    "locked": "This account is locked for a while after too many failed attempts. "
              "Try again in 15 minutes.",
    "oidc_unknown": "Your organisation knows you, but you are not in the meldingen staff "
                    "directory. Ask an administrator to add you.",
    "oidc_failed": "Signing in through your organisation did not work. Please try again.",
    "form_expired": "The form has expired or did not come from this site. Please try "
                    "again.",
    "enrol_title": "Set up your account",
    "enrol_intro": "Welcome, {name}. Choose a password and set up an authenticator app. "
                   "Then you can sign in.",
    "new_password": "New password",
    "new_password_hint": "At least 12 characters. A sentence of a few words is strong and "
                         "easy to remember.",
    "totp_title": "Authenticator app",
    "totp_intro": "Scan the QR code with your authenticator app, or type in the key.",
    "totp_secret": "Key",
    "qr_title": "QR code with the key for your authenticator app",
    "enrol_code_hint": "The code the app shows now, to check that everything works.",
    "enrol_submit": "Set up account",
    "enrolled": "Your account is set up. You can sign in now.",
    "link_used": "This link has been used already. Ask an administrator for a new link.",
    "link_expired": "This link has expired (a link is valid for 72 hours). Ask an "
                    "administrator for a new link.",
    "link_unknown": "This link is not valid. Check that you copied all of it, or ask an "
                    "administrator for a new one.",
    "link_disabled": "This account is disabled.",
    "field_errors": {
        "login": "Enter your login name",
        "password": "Enter your password",
        "code": "Enter the six-digit code",
        "short": "The password must have at least 12 characters",
        "weak": "This password is too easy to guess. Choose a longer password or a "
                "sentence of a few words",
        "wrong_code": "The code is not right. Enter the code the app shows now",
        "sub": "Enter a login name of letters, digits or . _ - @",
        "sub_taken": "This login name is taken",
        "name": "Enter the name",
        "email": "Enter a valid e-mail address",
        "roles": "Choose at least one role",
        "reports_to": "This manager is not in the directory",
    },
    "home_title": "Home",
    "welcome": "Welcome, {name}",
    "your_roles": "Your roles",
    "account": "My account",
    "account_title": "My account",
    "notifications": "Notifications by e-mail",
    "roles": {
        "manager": "Manager",
        "confidential_adviser": "Confidential adviser",
        "meldpunt": "Reporting office (meldpunt)",
        "competent_authority": "Competent authority",
        "investigator": "Investigator",
        "auditor": "Auditor",
        "administrator": "Administrator",
    },
    "role_home": {
        "manager": "You can pass on a melding you received. It goes to the meldpunt.",
        "confidential_adviser": "You advise reporters and can take an anonymous melding.",
        "meldpunt": "You assess new meldingen and advise the competent authority.",
        "competent_authority": "You decide on the meldingen assigned to you.",
        "investigator": "You work on the investigations you are assigned to.",
        "auditor": "You check the annual figures and the event log.",
        "administrator": "You manage the staff's accounts. You see no melding.",
    },
    "function": "Function",
    "functions": {"secretary": "Secretary / managing director", "mayor": "Mayor",
                  "board_member": "Board member", "director": "Director"},
    "reports_to": "Manager",
    "email": "E-mail address",
    "name": "Name",
    "sub": "Login name",
    "none": "none",
    "staff_title": "Staff",
    "staff_add": "Add someone",
    "staff_added": "{name} has been added. Give {name} this link (valid for 72 hours, "
                   "usable once):",
    "state": "State",
    "states": {"enrolled": "Active", "pending": "Not set up yet", "disabled": "Disabled"},
    "disable": "Disable",
    "disabled_done": "{sub} has been disabled.",
    "function_hint": "For example: secretary, mayor, board_member, director, or free "
                     "text. May stay empty.",
    "reports_to_hint": "The manager's login name. May stay empty.",
    "add": "Add",
    "forbidden": "This page is for administrators only.",
}


def _with_procedure(own: dict[str, Any], *pages: dict[str, Any]) -> dict[str, Any]:
    merged = dict(own)
    for words_of_pages in pages:
        # The pages' own step names and field messages add to the others'.
        added: dict[str, Any] = {key: {**merged.get(key, {}), **words_of_pages[key]}
                                 for key in ("field_errors", "steps") if key in words_of_pages}
        merged |= {**words_of_pages, **added}
    return merged


TEXTS: dict[str, dict[str, Any]] = {
    "nl": _with_procedure(NL, words.NL, words_cases.NL, words_concerned.NL,
                           words_routing.NL, words_intake.NL, words_protection.NL,
                           words_feedback.NL),
    "en": _with_procedure(EN, words.EN, words_cases.EN, words_concerned.EN,
                           words_routing.EN, words_intake.EN, words_protection.EN,
                           words_feedback.EN)}


def language(requested: str | None, fallback: str = "nl") -> str:
    return requested if requested in LANGUAGES else fallback
