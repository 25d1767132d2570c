"""The report page's view: Dutch labels and bar lengths for the SVG charts.

A hidden count ("<3", "x") gets no bar, only its label: a bar would show its size.
Labels wrap onto as many lines as they need beside the bars, never cut off.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

LABELS = {
    "interests": "Omgang met belangen", "conduct": "Omgang met elkaar",
    "gifts": "Uitnodigingen en geschenken", "resources": "Middelen van de gemeente",
    "information": "Kennis, informatie en data", "private_conduct": "Gedrag in privésfeer",
    "subversion": "Ondermijning", "other": "Overig",
    "integrity_violation": "Vermoeden integriteitsschending",
    "wrongdoing": "Vermoeden misstand", "eu_law_breach": "Inbreuk op het Unierecht",
    "undesirable_behaviour": "Ongewenst gedrag",
    "web": "Webformulier", "manager": "Via leidinggevende",
    "confidential_adviser_integrity": "Via vertrouwenspersoon integriteit",
    "confidential_adviser_conduct": "Via vertrouwenspersoon ongewenste omgangsvormen",
    "meldpunt": "Rechtstreeks bij het meldpunt",
    "admissible": "Ontvankelijk", "inadmissible": "Niet ontvankelijk",
    "no_action": "Geen actie", "conversation": "Gesprek", "investigation": "Onderzoek",
    "police_report": "Aangifte", "referral": "Doorverwijzing",
    "founded": "Gegrond", "partly_founded": "Deels gegrond", "unfounded": "Ongegrond",
    "not_established": "Niet vast te stellen",
    "none": "Geen maatregel", "written_reprimand": "Schriftelijke berisping",
    "suspension": "Schorsing", "dismissal": "Ontslag",
    "summary_dismissal": "Ontslag op staande voet", "process_change": "Aanpassing werkproces",
    "training": "Training",
    "case_closed": "Na gesprek of onderzoek",
    "conversations": "Gesprekken met betrokkene", "police_reports": "Aangiften",
    "reprisal_complaints": "Klachten over benadeling",
    "non_active": "Non-actiefstelling", "change_of_duties": "Andere werkzaamheden",
    "under_3_months": "Korter dan 3 maanden", "3_to_6_months": "3 tot 6 maanden",
    "6_to_12_months": "6 tot 12 maanden", "over_12_months": "12 maanden of langer",
}
#: The meldpunt's written parts, in the order the page shows them.
PART_TITLES = {"activities": "Activiteiten van het afgelopen jaar",
               "conclusions": "Samenvatting van de conclusies van de onderzoeken",
               "analysis": "Analyse", "intended_actions": "Voorgenomen acties"}
BAR_WIDTH = 320  # px for the largest count of a chart
#: Characters of a label line: 30 of the widest at 12px fit the 230px before the bars.
LABEL_CHARS = 30
LINE = 14  # px per label line
GAP = 10  # px between rows


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | str
    width: int  # 0 for a zero or a hidden count
    before: int | str  # the year before's

    @property
    def lines(self) -> list[str]:
        return textwrap.wrap(self.label, LABEL_CHARS, break_long_words=False) or [""]


@dataclass(frozen=True)
class Section:
    title: str
    bars: list[Bar]
    total: int | str | None = None
    total_before: int | str | None = None

    @property
    def rows(self) -> list[tuple[int, Bar]]:
        """Each bar with the y its row starts at."""
        placed, y = [], 0
        for bar in self.bars:
            placed.append((y, bar))
            y += LINE * len(bar.lines) + GAP
        return placed

    @property
    def height(self) -> int:
        return sum(LINE * len(bar.lines) + GAP for bar in self.bars)


def bars(counts: dict[str, int | str], before: dict[str, int | str]) -> list[Bar]:
    largest = max((v for v in counts.values() if isinstance(v, int)), default=0)
    return [Bar(LABELS.get(key, key), value,
                round(BAR_WIDTH * value / largest) if isinstance(value, int) and largest else 0,
                before.get(key, 0))
            for key, value in counts.items()]


#: (title, the counts' place in the figures, the total's place or None).
SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("Meldingen per thema", ("meldingen", "by_theme"), ("meldingen", "total")),
    ("Meldingen per soort", ("meldingen", "by_kind"), None),
    ("Meldingen per kanaal", ("meldingen", "by_channel"), None),
    ("Contactmomenten vertrouwenspersoon integriteit per thema",
     ("contact_moments", "integrity", "by_theme"), ("contact_moments", "integrity", "total")),
    ("Contactmomenten vertrouwenspersoon ongewenste omgangsvormen per thema",
     ("contact_moments", "conduct", "by_theme"), ("contact_moments", "conduct", "total")),
    ("Ontvankelijkheid", ("admissibility",), None),
    ("Besluiten van het bevoegd gezag", ("decisions", "by_outcome"), None),
    ("Uitgevoerde onderzoeken en hun conclusies", ("investigations", "by_conclusion"),
     ("investigations", "held")),
    ("Maatregelen na een onderzoek", ("investigations", "measures_after"), None),
    ("Maatregelen", ("measures", "by_kind"), None),
    ("Voorlopige maatregelen tijdens een onderzoek", ("interim_measures", "by_kind"), None),
    ("Afgesloten meldingen", ("closed", "by_reason"), None),
    ("Meldingen open aan het eind van het jaar, naar hoe lang ze open waren",
     ("open_at_year_end", "by_age"), ("open_at_year_end", "total")),
)


def at(figures: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        figures = figures[key]
    return figures


def sections(figures: dict[str, Any], before: dict[str, Any]) -> list[Section]:
    """The charts of a year's published figures, each bar with the year before's."""
    made = [Section(title, bars(at(figures, counts), at(before, counts)),
                    at(figures, total) if total else None,
                    at(before, total) if total else None)
            for title, counts, total in SECTIONS]
    pairs = ("conversations", "police_reports", "reprisal_complaints")
    made.append(Section("Gesprekken, aangiften en klachten over benadeling", bars(
        {key: figures[key] for key in pairs}, {key: before[key] for key in pairs})))
    return made


def share(value: float | str | None) -> str:
    """A share as a percentage; a hidden one as its label, none as a dash."""
    if value is None:
        return "\u2013"
    if isinstance(value, str):
        return value
    return f"{value * 100:.0f} %"


@dataclass(frozen=True)
class Written:
    title: str
    paragraphs: list[str]  # none: not written yet


def written(account: dict[str, dict[str, Any] | None]) -> list[Written]:
    """The meldpunt's parts as titled paragraphs (a blank line separates them)."""
    return [Written(title, [p.strip() for p in (account[part] or {}).get("text", "")
                            .split("\n\n") if p.strip()])
            for part, title in PART_TITLES.items()]
