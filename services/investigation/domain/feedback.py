"""The final feedback to the reporter when a case closes (Dutch, then English).

General on purpose: the reporter learns that the follow-up has ended and whether
measures were taken, never who was concerned or which measure."""

from __future__ import annotations


def final_feedback(path: str, measures_taken: bool) -> str:
    what_nl, what_en = (("het gesprek", "the conversation") if path == "conversation"
                        else ("het onderzoek", "the investigation"))
    if measures_taken:
        result_nl = "Naar aanleiding daarvan zijn maatregelen genomen."
        result_en = "Measures have been taken as a result."
    else:
        result_nl = "Het bevoegd gezag heeft besloten geen maatregelen te nemen."
        result_en = "The competent authority decided not to take measures."
    return (f"De afhandeling van uw melding is afgerond: {what_nl} heeft plaatsgevonden. "
            f"{result_nl} / The handling of your report has been completed: {what_en} has "
            f"taken place. {result_en}")
