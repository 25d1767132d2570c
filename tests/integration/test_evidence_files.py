"""An investigator's evidence with its file (issue 19): kept byte for byte, encrypted
in the files stream, its sha256 computed by the service and recorded in the case."""

from __future__ import annotations

import hashlib

from shared.config import Settings
from shared.files.store import files_stream
from tests.integration.test_authorization_matrix import everything
from tests.support import jetstream, ok, token

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
