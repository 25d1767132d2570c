"""An investigator's evidence with its file (issue 19): kept byte for byte, encrypted
in the files stream, its sha256 computed by the service and recorded in the case, and
downloaded as uploaded by the case's team and competent authority, each download in
the case's history; 404 for an investigator not on the case."""

from __future__ import annotations

import hashlib
from uuid import UUID

from services.investigation.files.domain.evidence_files import EvidenceFiles
from shared.config import Settings
from shared.files.store import files_stream
from tests.integration.test_authorization_matrix import everything
from tests.integration.test_keyed_fields import stored_states
from tests.support import DEFAULT_AUTHORITY, jetstream, ok, token

INVOICE = b"%PDF-1.4\n% factuur 2024-117, bedrag 4.999 euro, niet gewijzigd\n"


async def test_evidence_keeps_its_bytes_and_its_sha256(sqlite_settings: Settings) -> None:
    async with everything(sqlite_settings) as (s, melding_id):
        cases = s["investigation"].client
        ivan = token(sqlite_settings, "investigator", "ivan")
        await ok(cases.post(f"/api/cases/{melding_id}/plan", headers=ivan,
                            json={"text": "Facturen nagaan."}))
        await ok(cases.post(f"/api/cases/{melding_id}/interviews", headers=ivan,
                            json={"interviewee": "x", "minutes": "m"}))
        case = await ok(cases.post(
            f"/api/cases/{melding_id}/evidence", headers=ivan,
            data={"description": "Factuur van de leverancier"},
            files={"file": ("factuur.pdf", INVOICE)}))
        [evidence] = case["evidence"]
        assert evidence["sha256"] == hashlib.sha256(INVOICE).hexdigest()
        assert evidence["description"] == "Factuur van de leverancier"

        # Downloaded byte for byte, as an attachment that no browser renders.
        url = f"/api/cases/{melding_id}/evidence/{evidence['file_id']}"
        got = await cases.get(url, headers=ivan)
        assert got.status_code == 200, got.text
        assert hashlib.sha256(got.content).hexdigest() == evidence["sha256"]
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
        assert got.headers["content-disposition"].startswith('attachment; filename="factuur.pdf"')
        authority = token(sqlite_settings, "competent_authority")
        by_authority = await cases.get(url, headers=authority)
        assert by_authority.status_code == 200
        assert by_authority.content == INVOICE
        history = (await ok(cases.get(f"/api/cases/{melding_id}", headers=ivan)))["history"]
        downloads = [h["who"] for h in history
                     if h["what"] == f"evidence file {evidence['file_id']} downloaded"]
        assert downloads == ["ivan", DEFAULT_AUTHORITY]

        # Not on the case, or no such file: 404, and nothing recorded; the meldpunt,
        # who does not read a case's content, is refused.
        otto = token(sqlite_settings, "investigator", "otto")
        assert (await cases.get(url, headers=otto)).status_code == 404
        assert (await cases.get(f"/api/cases/{melding_id}/evidence/nope",
                                headers=ivan)).status_code == 404
        meldpunt = token(sqlite_settings, "meldpunt", "mia")
        assert (await cases.get(url, headers=meldpunt)).status_code == 403
        history = (await ok(cases.get(f"/api/cases/{melding_id}", headers=ivan)))["history"]
        assert len([h for h in history if h["what"].startswith("evidence file")]) == 2

        # The file's name is kept only under the melding's key.
        states = stored_states(s["investigation"].application,
                               EvidenceFiles.create_id(UUID(melding_id)))
        assert any(b"mk1:" in state for state in states)
        assert not any(b"factuur.pdf" in state for state in states)

        # Stored, but only sealed: the invoice's words are not in the files stream.
        async with jetstream(sqlite_settings) as js:
            info = await js.stream_info(files_stream(sqlite_settings))
            assert info.state.messages == 1
            message = await js.get_msg(files_stream(sqlite_settings), info.state.last_seq)
            assert message.data and b"factuur 2024-117" not in message.data

        # Without a description, or by someone not on the case: nothing is kept.
        refused = await cases.post(f"/api/cases/{melding_id}/evidence", headers=ivan,
                                   files={"file": ("factuur.pdf", INVOICE)})
        assert refused.status_code == 422
        other = token(sqlite_settings, "investigator", "otto")
        assert (await cases.post(f"/api/cases/{melding_id}/evidence", headers=other,
                                 data={"description": "x"},
                                 files={"file": ("f.pdf", INVOICE)})).status_code == 404
        async with jetstream(sqlite_settings) as js:
            info = await js.stream_info(files_stream(sqlite_settings))
            assert info.state.messages == 1
