"""The case list's rows in investigation's own database: one per case with its summary,
the columns the list filters and orders by, and the subs each case names (its
investigators, and those excluded from it) in a table of their own, so that the
need-to-know rule is a condition on the rows (`shared.authz.visibility`) and a start
loads none of them (issue 23). A row holds no content."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Index,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    exists,
    false,
    func,
    select,
    true,
)

from shared.authz import MeldingParties, visibility
from shared.names import normalised


@dataclass
class CaseSummary:
    id: UUID
    path: str
    theme: str
    status: str
    opened_at: datetime
    competent_authority: str
    investigators: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    shredded_at: datetime | None = None  # its melding's term passed: no content

    @property
    def parties(self) -> MeldingParties:
        return MeldingParties(self.competent_authority, self.excluded, self.investigators)

metadata = MetaData()
case_rows = Table(
    "investigation_cases", metadata,
    Column("id", String(36), primary_key=True),
    Column("opened_us", BigInteger, nullable=False),
    Column("status", String(64), nullable=False, index=True),
    Column("authority", String(255), nullable=False),  # normalised
    Column("summary", Text, nullable=False),
    Index("investigation_cases_opened", "opened_us", "id"),
    Index("investigation_cases_authority", "authority", "opened_us", "id"),
)
party_rows = Table(
    "investigation_case_parties", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("sub", String(255), primary_key=True),  # normalised
    Column("part", String(16), primary_key=True),  # "excluded" or "investigator"
    Index("investigation_case_parties_sub", "sub", "part"),
)


def create(engine: sqlalchemy.Engine) -> None:
    metadata.create_all(engine)


def _summary(text: str) -> CaseSummary:
    fields: dict[str, Any] = json.loads(text)
    fields["id"] = UUID(fields["id"])
    fields["opened_at"] = datetime.fromisoformat(fields["opened_at"])
    if fields["shredded_at"] is not None:
        fields["shredded_at"] = datetime.fromisoformat(fields["shredded_at"])
    return CaseSummary(**fields)


def read(connection: sqlalchemy.Connection, ids: Iterable[UUID]) -> dict[UUID, CaseSummary]:
    wanted = [str(i) for i in ids]
    found: dict[UUID, CaseSummary] = {}
    for start in range(0, len(wanted), 500):
        for text in connection.execute(select(case_rows.c.summary).where(
                case_rows.c.id.in_(wanted[start:start + 500]))).scalars():
            summary = _summary(text)
            found[summary.id] = summary
    return found


def write(connection: sqlalchemy.Connection, changed: Iterable[CaseSummary]) -> None:
    changed = list(changed)
    keys = [str(c.id) for c in changed]
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        connection.execute(delete(case_rows).where(case_rows.c.id.in_(part)))
        connection.execute(delete(party_rows).where(party_rows.c.case_id.in_(part)))
    if not changed:
        return
    connection.execute(case_rows.insert(), [{
        "id": str(c.id), "opened_us": round(c.opened_at.astimezone(UTC).timestamp() * 1e6),
        "status": c.status, "authority": normalised(c.competent_authority),
        "summary": json.dumps(asdict(c), default=str)} for c in changed])
    parties = {(str(c.id), normalised(sub), part) for c in changed
               for part, subs in (("excluded", c.excluded), ("investigator", c.investigators))
               for sub in subs}
    if parties:
        connection.execute(party_rows.insert(), [
            {"case_id": case_id, "sub": sub, "part": part} for case_id, sub, part in parties])


def _names(sub: str, part: str) -> ColumnElement[bool]:
    return exists().where(party_rows.c.case_id == case_rows.c.id, party_rows.c.sub == sub,
                          party_rows.c.part == part)


def seen_by(role: str, sub: str) -> ColumnElement[bool]:
    """`shared.authz.may_see` as a condition on the rows."""
    rule = visibility(role, sub)
    scope: ColumnElement[bool] = false()
    if rule.scope == "all":
        scope = true()
    elif rule.scope == "investigating":
        scope = _names(rule.unless_excluding, "investigator")
    elif rule.scope == "assigned":
        scope = case_rows.c.authority == rule.unless_excluding
    return and_(scope, ~_names(rule.unless_excluding, "excluded"))


def page(connection: sqlalchemy.Connection, where: ColumnElement[bool], offset: int,
         limit: int) -> tuple[list[CaseSummary], int]:
    total = connection.execute(select(func.count()).select_from(case_rows)
                               .where(where)).scalar_one()
    texts = connection.execute(select(case_rows.c.summary).where(where).order_by(
        case_rows.c.opened_us, case_rows.c.id).offset(offset).limit(limit)).scalars()
    return [_summary(text) for text in texts], total


def with_status(connection: sqlalchemy.Connection, statuses: Iterable[str]) -> list[UUID]:
    return [UUID(i) for i in connection.execute(select(case_rows.c.id).where(
        case_rows.c.status.in_(list(statuses)))).scalars()]
