"""The routing table an organisation configures: the shipped rules
(services/triage/domain/routing.py), each replaced by the one the file
`MELDINGEN_ROUTING_FILE` gives for the same `concerns`, in TOML:

    [rules.mayor]
    target = "function:secretary"   # reports_to, default, function:F or external:NAME
    source = "Besluit college 2026-03"
    confirmed = true

A file that cannot work (unreadable, an unknown `concerns`, a bad target, a rule
without its source) stops the service at start, naming what is wrong.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from services.triage.domain.routing import CONCERNS, DEFAULT_RULES, RoutingTable, Rule, check_target
from shared.config import ConfigurationError, Settings


def routing_table(settings: Settings) -> RoutingTable:
    rules = dict(DEFAULT_RULES)
    if settings.routing_file is not None:
        rules.update(read_rules(settings.routing_file))
    return RoutingTable(rules, default=settings.default_competent_authority)


def read_rules(path: Path) -> dict[str, Rule]:
    where = f"MELDINGEN_ROUTING_FILE {path}"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"{where} cannot be read: {error}") from None
    given = document.get("rules", {})
    if not isinstance(given, dict):
        raise ConfigurationError(f"{where}: [rules] must be a table")
    return {concerns: _rule(where, concerns, entry) for concerns, entry in given.items()}


def _rule(where: str, concerns: str, entry: Any) -> Rule:
    if concerns not in CONCERNS:
        raise ConfigurationError(
            f"{where}: {concerns!r} is not a concerns value ({', '.join(CONCERNS)})")
    if not isinstance(entry, dict) or set(entry) - {"target", "source", "confirmed"}:
        raise ConfigurationError(
            f"{where}: rules.{concerns} has only target, source and confirmed")
    target, source = entry.get("target"), entry.get("source")
    confirmed = entry.get("confirmed", True)
    if not isinstance(source, str) or not source.strip():
        raise ConfigurationError(f"{where}: rules.{concerns} needs its source")
    if not isinstance(target, str):
        raise ConfigurationError(f"{where}: rules.{concerns}.target must be text")
    if not isinstance(confirmed, bool):
        raise ConfigurationError(f"{where}: rules.{concerns}.confirmed is true or false")
    try:
        return Rule(check_target(target), source.strip(), confirmed)
    except ValueError as error:
        raise ConfigurationError(f"{where}: rules.{concerns}: {error}") from None
