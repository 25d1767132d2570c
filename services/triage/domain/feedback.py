"""What the reporter is told when triage closes a melding (Dutch, then English).

Deliberately general: the reporter learns how the melding ends, never the content of
the assessment, the advice or anything about the person concerned."""

from __future__ import annotations

from typing import Final

CLOSING_FEEDBACK: Final[dict[str, str]] = {
    "inadmissible": (
        "Uw melding is beoordeeld en wordt niet in behandeling genomen, omdat zij buiten "
        "de reikwijdte van de regeling valt of er onvoldoende grond voor is. / Your report "
        "has been assessed and will not be handled further: it is outside the scope of "
        "the procedure or there are insufficient grounds."
    ),
    "no_action": (
        "Uw melding is beoordeeld; het bevoegd gezag heeft besloten geen verdere actie te "
        "ondernemen. / Your report has been assessed; the competent authority decided to "
        "take no further action."
    ),
    "referral": (
        "Uw melding is doorverwezen naar de instantie die erover gaat. / Your report has "
        "been referred to the body that is responsible for it."
    ),
    "police_report": (
        "Naar aanleiding van uw melding is aangifte gedaan; de verdere afhandeling ligt bij "
        "politie en justitie. / A police report has been filed following your report; the "
        "police and the public prosecutor handle it from here."
    ),
}
