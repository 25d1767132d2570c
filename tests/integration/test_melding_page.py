"""Triage's melding page (`GET /api/meldingen/{id}/page`): the melding and its parts
in one answer, each exactly what its own endpoint gives the same caller, and for a
caller the need-to-know rule keeps out, the same refusal as the melding's own."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from tests.support import assessment, filed_in_triage, ok, token

#: The page's part -> its own endpoint under the melding.
PARTS = {"notes": "/notes", "protection": "/protection",
         "feedback_templates": "/feedback-templates", "attachments": "/attachments"}


async def _same_as_separate(client: Any, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The page for `headers`, checked part by part against the separate endpoints: a
    part is null exactly where its endpoint refuses the caller's role (403)."""
    page = await ok(client.get(f"{path}/page", headers=headers))
    melding = await ok(client.get(path, headers=headers))
    # Each read of a named reporter's identity is recorded, the page's as the melding's:
    # the read after it shows one more.
    shown, reads = page["melding"].pop("identity_reads"), melding.pop("identity_reads")
    assert page["melding"] == melding
    if shown is not None:
        assert reads[:-1] == shown and reads[-1]["by"] == shown[-1]["by"]
    for part, suffix in PARTS.items():
        alone = await client.get(path + suffix, headers=headers)
        if alone.status_code == 403:
            assert page[part] is None, part
            continue
        assert alone.status_code == 200, (part, alone.text)
        expected = alone.json()["notes"] if part == "notes" else alone.json()
        assert page[part] == expected, part
    return page


async def test_the_page_is_the_separate_endpoints_in_one(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    async with filed_in_triage(settings) as s:
        triage, path = s.triage, s.path
        meldpunt, authority, other = s.meldpunt, s.authority, s.other
        await ok(triage.client.post(f"{path}/notes", headers=meldpunt,
                                    json={"body": "Eerst de leverancier bellen."}), 201)
        await ok(triage.client.post(f"{path}/protected-persons", headers=meldpunt,
                                    json={"name": "Pieter", "role": "witness"}), 201)
        # The meldpunt: every part, the templates in the reporter's language.
        page = await _same_as_separate(triage.client, path, meldpunt)
        assert [n["by"] for n in page["notes"]] == ["mia"]
        assert [p["name"] for p in page["protection"]["persons"]] == ["Pieter"]
        assert page["feedback_templates"]["templates"]
        assert page["attachments"] == []

        # Before it is routed to them, the competent authority does not see the melding:
        # the page refuses as the melding does, and shows none of its parts.
        unseen = await triage.client.get(f"{path}/page", headers=authority)
        assert unseen.status_code == 404
        assert "leverancier" not in unseen.text and "Pieter" not in unseen.text
        await ok(triage.client.post(f"{path}/assessment", headers=meldpunt,
                                    json=assessment()))
        # Routed to them: the parts of their role; no templates (not theirs to write).
        page = await _same_as_separate(triage.client, path, authority)
        assert page["feedback_templates"] is None
        assert [n["by"] for n in page["notes"]] == ["mia"]

        # Another competent authority: as if there were no melding; other roles: 403.
        assert (await triage.client.get(f"{path}/page", headers=other)).status_code == 404
        for role in ("investigator", "confidential_adviser", "auditor", "manager"):
            headers = token(settings, role, "someone")
            assert (await triage.client.get(f"{path}/page", headers=headers)
                    ).status_code == 403
        missing = "/api/meldingen/00000000-0000-0000-0000-000000000000/page"
        assert (await triage.client.get(missing, headers=meldpunt)).status_code == 404
