"""What the melding page says of routing: who is concerned, the reassignment, the
recusal. Dutch by default, English with the switch."""

from __future__ import annotations

from typing import Any

NL: dict[str, Any] = {
    "flagged": "Nog niemand: het meldpunt wijst het bevoegd gezag aan",
    "concerns": "Over wie gaat de melding?",
    "concerns_values": {
        "employee": "Een medewerker", "manager": "Een leidinggevende",
        "director": "Een directeur", "secretary": "De gemeentesecretaris",
        "board_member": "Een bestuurder", "mayor": "De burgemeester",
        "council_member": "Een raadslid", "confidential_adviser": "Een vertrouwenspersoon",
        "meldpunt": "Iemand van het meldpunt", "unknown": "Onbekend"},
    "concerned_staff": "Betrokken personeelsleden (zij zien de melding niet)",
    "reassign": "Ander bevoegd gezag aanwijzen",
    "reassign_to": "Nieuw bevoegd gezag",
    "choose": "Kies",
    "recuse": "Ik heb een belangenconflict",
    "recuse_note": "Daarna ziet u deze melding niet meer en neemt u er geen deel aan.",
    "recusal_reason": "Waarom?",
    "legal_hold": "Bewaarplicht (juridische blokkade)",
    "legal_hold_note": "Een rechtszaak of klacht heeft het dossier nodig: zolang de "
                       "blokkade geldt, wordt de melding niet vernietigd, ook niet na "
                       "de bewaartermijn.",
    "legal_hold_placed": "Geblokkeerd door {who} op {when}:",
    "legal_hold_hint": "Minstens 10 tekens; komt in de geschiedenis.",
    "place_hold": "Blokkade plaatsen",
    "lift_hold": "Blokkade opheffen",
    "field_errors": {
        "concerns": "Kies over wie de melding gaat",
        "concerned_staff": "Kies personeelsleden uit het overzicht",
        "competent_authority": "Kies een bevoegd gezag dat niet betrokken is",
        "reason": "Vul de reden in",
        "hold_motivation": "Motiveer de blokkade in minstens 10 tekens",
    },
}

EN: dict[str, Any] = {
    "flagged": "Nobody yet: the meldpunt assigns the competent authority",
    "concerns": "Whom is the melding about?",
    "concerns_values": {
        "employee": "An employee", "manager": "A manager", "director": "A director",
        "secretary": "The municipal secretary", "board_member": "A board member",
        "mayor": "The mayor", "council_member": "A council member",
        "confidential_adviser": "A confidential adviser",
        "meldpunt": "Someone of the meldpunt", "unknown": "Unknown"},
    "concerned_staff": "Staff members concerned (they do not see the melding)",
    "reassign": "Assign another competent authority",
    "reassign_to": "New competent authority",
    "choose": "Choose",
    "recuse": "I have a conflict of interest",
    "recuse_note": "From then on you no longer see this melding nor take part in it.",
    "recusal_reason": "Why?",
    "legal_hold": "Legal hold",
    "legal_hold_note": "A court case or a complaint needs the file: while the hold lasts, "
                       "the melding is not destroyed, not even after its retention term.",
    "legal_hold_placed": "Held by {who} on {when}:",
    "legal_hold_hint": "At least 10 characters; kept in the history.",
    "place_hold": "Place the hold",
    "lift_hold": "Lift the hold",
    "field_errors": {
        "concerns": "Choose whom the melding is about",
        "concerned_staff": "Choose staff members from the directory",
        "competent_authority": "Choose a competent authority who is not concerned",
        "reason": "Enter the reason",
        "hold_motivation": "Give the hold's reason in at least 10 characters",
    },
}
