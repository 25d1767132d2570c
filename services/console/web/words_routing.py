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
    "field_errors": {
        "concerns": "Kies over wie de melding gaat",
        "concerned_staff": "Kies personeelsleden uit het overzicht",
        "competent_authority": "Kies een bevoegd gezag dat niet betrokken is",
        "reason": "Vul de reden in",
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
    "field_errors": {
        "concerns": "Choose whom the melding is about",
        "concerned_staff": "Choose staff members from the directory",
        "competent_authority": "Choose a competent authority who is not concerned",
        "reason": "Enter the reason",
    },
}
