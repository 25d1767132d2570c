"""The case list filters in SQL by `shared.authz.visibility`: for every role and every
kind of party, it lists exactly the cases `may_see` lets the reader see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from services.investigation.adapters import case_table
from services.investigation.adapters.case_table import CaseSummary
from services.investigation.views import CaseIndex
from shared.authz import PERMISSIONS, may_see

START = datetime(2026, 1, 5, tzinfo=UTC)


def case(n: int, authority: str, investigators: list[str], excluded: list[str]) -> CaseSummary:
    return CaseSummary(id=UUID(int=n + 1), path="investigation", theme="gifts",
                       status="investigating", opened_at=START + timedelta(days=n),
                       competent_authority=authority, investigators=investigators,
                       excluded=excluded)


def test_the_case_lists_condition_and_the_need_to_know_rule_agree() -> None:
    cases = [case(0, "bert", ["ivo"], []), case(1, "Bert", ["ivo", "iris"], ["mia"]),
             case(2, "carla", [], ["ivo"]), case(3, "carla", ["Iris"], ["bert"]),
             case(4, "mia", ["ivo"], ["carla"])]
    index = CaseIndex()
    with index._engine.begin() as connection:
        case_table.write(connection, cases)
    roles = sorted({role for roles in PERMISSIONS.values() for role in roles})
    assert {"meldpunt", "competent_authority", "investigator"} <= set(roles)
    for role in roles:
        for sub in ("mia", "bert", "BERT", "carla", "ivo", "iris", "dora"):
            listed, total = index.page(role=role, sub=sub, limit=100)
            expected = [c.id for c in cases if may_see(role, sub, c.parties)]
            assert [c.id for c in listed] == expected, (role, sub)
            assert total == len(expected)
