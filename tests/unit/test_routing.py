"""The routing table: each shipped rule's happy path, one step up when the target is
concerned or cannot be assigned, flagged for the meldpunt when nothing is left, and an
organisation's own rules from MELDINGEN_ROUTING_FILE (a bad file stops the start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.triage.adapters.routing_file import read_rules, routing_table
from services.triage.domain.routing import DEFAULT_RULES, RoutingTable
from shared.config import ConfigurationError, Settings
from shared.directory import Directory, StaffEntry

AUTHORITY = "competent_authority"


def directory() -> Directory:
    """A small municipality: a mayor, a secretary, a director, managers, staff."""
    view = Directory()
    for sub, roles, function, reports_to in (
        ("mara", [AUTHORITY], "mayor", None),
        ("sara", [AUTHORITY], "secretary", None),
        ("dirk", [AUTHORITY, "manager"], "director", "sara"),
        ("mark", ["manager"], None, "dirk"),
        ("erik", [], None, "mark"),
    ):
        entry = StaffEntry(sub=sub, name=sub.title(), email=f"{sub}@example.org",
                           roles=roles, function=function, reports_to=reports_to)
        for event in entry.collect_events():
            view.apply(event)
    return view


TABLE = RoutingTable(DEFAULT_RULES, default="dirk")


@pytest.mark.parametrize(("concerns", "concerned", "sub"), [
    # Maastricht section 8: about your own manager, to the next manager up ...
    ("manager", ["mark"], "dirk"),
    # ... about a member of the college, to the secretary.
    ("board_member", [], "sara"),
    # the organisation's default competent authority
    ("employee", ["erik"], "dirk"),
    ("unknown", [], "dirk"),
    # local practice, to be confirmed: to the mayor
    ("secretary", ["sara"], "mara"),
    ("director", ["dirk"], "mara"),
    ("council_member", [], "mara"),
])
def test_each_default_rule_finds_its_competent_authority(
    concerns: str, concerned: list[str], sub: str
) -> None:
    routing = TABLE.route(concerns, concerned, directory())
    assert (routing.sub, routing.flagged) == (sub, None)
    assert routing.rule == f"{concerns}: {DEFAULT_RULES[concerns].target}"
    assert routing.source == DEFAULT_RULES[concerns].source


def test_a_melding_about_the_mayor_is_flagged_for_an_external_referral() -> None:
    routing = TABLE.route("mayor", ["mara"], directory())
    assert routing.sub is None
    assert routing.flagged is not None and "Commissaris van de Koning" in routing.flagged


def test_a_melding_about_the_default_authority_goes_one_step_up() -> None:
    routing = TABLE.route("employee", ["dirk"], directory())
    assert (routing.sub, routing.rule) == ("sara", "employee: default, one step up")


def test_a_recused_target_is_passed_over_like_a_concerned_one() -> None:
    routing = TABLE.route("board_member", [], directory(), recused=["SARA"])
    assert routing.sub is None and routing.flagged


def test_a_manager_without_the_role_is_passed_to_their_own_manager() -> None:
    # erik's manager mark may not be assigned (no competent_authority role): dirk may.
    routing = TABLE.route("manager", ["erik"], directory())
    assert (routing.sub, routing.rule) == ("dirk", "manager: reports_to, one step up")


def test_no_holder_and_no_step_up_flags_the_melding_for_the_meldpunt() -> None:
    unconfigured = RoutingTable(DEFAULT_RULES, default=None)
    routing = unconfigured.route("unknown", [], directory())
    assert routing.sub is None and routing.flagged
    # Nobody in the directory holds the function the rule names.
    assert TABLE.route("board_member", [], Directory()).sub is None


def test_a_disabled_default_authority_is_not_assigned() -> None:
    view = directory()
    entry = StaffEntry(sub="dora", name="Dora", email="dora@example.org",
                       roles=[AUTHORITY], function=None, reports_to=None)
    entry.disable()
    for event in entry.collect_events():
        view.apply(event)
    routing = RoutingTable(DEFAULT_RULES, default="dora").route("unknown", [], view)
    assert routing.sub is None and routing.flagged
    # Not listed at all, the configured default is taken at its word.
    assert RoutingTable(DEFAULT_RULES, default="dora").route("unknown", [], directory()).sub \
        == "dora"


def test_an_organisation_replaces_a_rule_in_its_routing_file(tmp_path: Path) -> None:
    file = tmp_path / "routing.toml"
    file.write_text('[rules.mayor]\ntarget = "function:secretary"\n'
                    'source = "Besluit van de raad, 2026"\n', encoding="utf-8")
    table = routing_table(Settings(var_dir=tmp_path, routing_file=file,
                                   default_competent_authority="dirk"))
    assert table.route("mayor", ["mara"], directory()).sub == "sara"
    assert table.rules["manager"] == DEFAULT_RULES["manager"]  # the others stay


@pytest.mark.parametrize(("text", "named"), [
    ('[rules.alderman]\ntarget = "default"\nsource = "s"\n', "alderman"),
    ('[rules.mayor]\ntarget = "the king"\nsource = "s"\n', "the king"),
    ('[rules.mayor]\ntarget = "default"\n', "source"),
    ('[rules.mayor]\ntarget = "default"\nsource = "s"\nconfirmed = "yes"\n', "confirmed"),
    ("[rules.mayor\n", "cannot be read"),
])
def test_a_routing_file_that_cannot_work_stops_the_start(
    tmp_path: Path, text: str, named: str
) -> None:
    file = tmp_path / "routing.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=named):
        read_rules(file)
