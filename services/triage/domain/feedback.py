"""The feedback templates the meldpunt starts from, in the reporter's language: the
3-month feedback on the follow-up and the closing feedback of a melding triage closes.

The meldpunt's own text is what reaches the mailbox; a template is only a start, and
the default when a closing comes without a text. Deliberately general: the reporter
learns how the melding stands or ends, never the content of the assessment, the advice
or anything about the person concerned. The 3-month template has a gap (`GAP`) for the
meldpunt to fill, and feedback that still holds it is refused, so that it cannot reach
a reporter unfinished."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from shared.contracts import FeedbackOccasion, Language
from shared.errors import InvalidInput

#: Where a template waits for the meldpunt's own words.
GAP: Final = "[…]"

TEMPLATES: Final[dict[Language, dict[FeedbackOccasion, str]]] = {
    "nl": {
        "three_months": (
            "Wij laten u weten hoe het met uw melding staat. " + GAP + " Wij houden u op "
            "de hoogte van de verdere afhandeling."
        ),
        "inadmissible": (
            "Uw melding is beoordeeld en wordt niet in behandeling genomen, omdat zij "
            "buiten de reikwijdte van de regeling valt of er onvoldoende grond voor is."
        ),
        "no_action": (
            "Uw melding is beoordeeld; het bevoegd gezag heeft besloten geen verdere "
            "actie te ondernemen."
        ),
        "referral": "Uw melding is doorverwezen naar de instantie die erover gaat.",
        "police_report": (
            "Naar aanleiding van uw melding is aangifte gedaan; de verdere afhandeling "
            "ligt bij politie en justitie."
        ),
        "case_closed": (
            "De afhandeling van uw melding is afgerond. Het bevoegd gezag heeft besloten "
            "geen maatregelen te nemen."
        ),
        "case_closed_with_measures": (
            "De afhandeling van uw melding is afgerond. Naar aanleiding daarvan zijn "
            "maatregelen genomen."
        ),
    },
    "en": {
        "three_months": (
            "We are letting you know how your report stands. " + GAP + " We will keep "
            "you informed of its further handling."
        ),
        "inadmissible": (
            "Your report has been assessed and will not be handled further: it is outside "
            "the scope of the procedure or there are insufficient grounds."
        ),
        "no_action": (
            "Your report has been assessed; the competent authority decided to take no "
            "further action."
        ),
        "referral": "Your report has been referred to the body that is responsible for it.",
        "police_report": (
            "A police report has been filed following your report; the police and the "
            "public prosecutor handle it from here."
        ),
        "case_closed": (
            "The handling of your report has been completed. The competent authority "
            "decided not to take measures."
        ),
        "case_closed_with_measures": (
            "The handling of your report has been completed. Measures have been taken "
            "as a result."
        ),
    },
}


def templates_language(language: str) -> Language:
    """The language of the templates for a reporter of `language`: theirs, or Dutch."""
    return "en" if language == "en" else "nl"


def template(occasion: FeedbackOccasion, language: str) -> str:
    """The template for `occasion` in the reporter's `language`."""
    return TEMPLATES[templates_language(language)][occasion]


def case_closing(measure_kinds: Iterable[str], language: str) -> str:
    """The closing feedback of a case that came without the authority's own words: it
    says whether measures were taken, never which or on whom."""
    taken = any(kind != "none" for kind in measure_kinds)
    return template("case_closed_with_measures" if taken else "case_closed", language)


def check_written(body: str, field: str) -> None:
    """Refuse feedback that still holds a template's gap (422 naming `field`)."""
    if GAP in body:
        raise InvalidInput(f"Fill in the template's {GAP} with your own words first.",
                           field=field)
