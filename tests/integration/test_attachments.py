"""A reporter's files (issue 19), across the real services: sent in the mailbox,
cleaned of their metadata before they are stored, listed and downloaded by the
meldpunt (each download in the history), refused with the limit or reason named,
404 for who may not see the melding, and gone after shredding."""

from __future__ import annotations

import io
import zipfile
from contextlib import AsyncExitStack
from pathlib import Path

from shared.config import Settings
from shared.files.store import files_stream
from tests.files import AUTHOR, docx_with_author, gps_of, jpeg_with_gps, no_author_left
from tests.integration.test_shredding import MELDPUNT, closed_without_case, file
from tests.support import RunningService, eventually, jetstream, ok, running, token


async def mailbox_token(intake: RunningService, receipt: str) -> dict[str, str]:
    logged_in = await ok(intake.client.post("/api/mailbox/login", json={"receipt": receipt}))
    return {"Authorization": f"Bearer {logged_in['token']}"}


async def send(intake: RunningService, mailbox: dict[str, str], name: str,
               data: bytes) -> tuple[int, dict[str, object]]:
    response = await intake.client.post("/api/mailbox/attachments", headers=mailbox,
                                        files={"file": (name, data)})
    return response.status_code, response.json()


def stored_anywhere(var_dir: Path, needle: bytes) -> list[Path]:
    return [path for path in var_dir.rglob("*") if path.is_file()
            and needle in path.read_bytes()]


async def stream_holds(settings: Settings, needle: bytes) -> bool:
    async with jetstream(settings) as js:
        info = await js.stream_info(files_stream(settings))
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(files_stream(settings), seq)
            if message.data and needle in message.data:
                return True
    return False


async def test_files_are_cleaned_served_refused_and_shredded(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={
        "retention_days": 0, "attachment_max_bytes": 200_000})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage", "investigation")}
        intake, triage = s["intake"], s["triage"].client
        melding_id, receipt = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        mailbox = await mailbox_token(intake, receipt)

        # A photo with its position and a document with its author, as sent.
        photo, document = jpeg_with_gps(), docx_with_author()
        status, sent_photo = await send(intake, mailbox, "../tuin foto.jpg", photo)
        assert status == 201, sent_photo
        assert sent_photo["content_type"] == "image/jpeg" and sent_photo["cleaned"] is True
        assert sent_photo["name"] == "tuin foto.jpg"
        status, sent_doc = await send(intake, mailbox, "notulen.docx", document)
        assert status == 201, sent_doc

        # Refused, each with its reason, and nothing kept of them.
        status, problem = await send(intake, mailbox, "groot.txt", b"a" * 200_001)
        assert status == 413 and problem["limit"] == "MELDINGEN_ATTACHMENT_MAX_BYTES"
        status, problem = await send(intake, mailbox, "foto.jpg",
                                     b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" * 40)
        assert status == 422 and problem["limit"] == "MELDINGEN_ATTACHMENT_TYPES", problem
        status, problem = await send(intake, mailbox, "leeg.pdf", b"")
        assert status == 422 and "empty" in str(problem["detail"])

        # The mailbox shows the two it kept.
        box = await ok(intake.client.get("/api/mailbox", headers=mailbox))
        assert [f["id"] for f in box["attachments"]] == [sent_photo["id"], sent_doc["id"]]

        # The meldpunt lists and downloads them: no position, no author.
        async def listed() -> list[dict[str, object]]:
            return list(await ok(triage.get(f"/api/meldingen/{melding_id}/attachments",
                                            headers=meldpunt)))

        async def arrived() -> bool:
            return len(await listed()) == 2

        await eventually(arrived)
        photo_url = f"/api/meldingen/{melding_id}/attachments/{sent_photo['id']}"
        downloaded = await triage.get(photo_url, headers=meldpunt)
        assert downloaded.status_code == 200
        assert downloaded.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in downloaded.headers["content-security-policy"]
        assert downloaded.headers["content-disposition"].startswith("attachment;")
        assert gps_of(downloaded.content) == {}
        doc = await triage.get(f"/api/meldingen/{melding_id}/attachments/{sent_doc['id']}",
                               headers=meldpunt)
        assert no_author_left(doc.content)
        with zipfile.ZipFile(io.BytesIO(doc.content)) as cleaned_doc:
            assert b"De kas klopt niet." in cleaned_doc.read("word/document.xml")
        history = (await ok(triage.get(f"/api/meldingen/{melding_id}", headers=meldpunt)
                            ))["history"]
        assert {"what": f"attachment {sent_photo['id']} downloaded", "who": "mia"} in [
            {"what": h["what"], "who": h["who"]} for h in history]

        # The author's name and the photo's bytes are nowhere stored in the clear.
        assert stored_anywhere(settings.var_dir, AUTHOR.encode()) == []
        assert stored_anywhere(settings.var_dir, downloaded.content[-400:]) == []
        assert not await stream_holds(settings, AUTHOR.encode())
        assert not await stream_holds(settings, downloaded.content[-400:])

        # A competent authority not assigned to it sees nothing of it.
        other = token(settings, "competent_authority", "someone-else")
        assert (await triage.get(f"/api/meldingen/{melding_id}/attachments",
                                 headers=other)).status_code == 404
        assert (await triage.get(photo_url, headers=other)).status_code == 404

        # The meldpunt sends a file the other way; the reporter finds it in the mailbox.
        letter = b"Uitnodiging voor een gesprek op dinsdag.\n"
        sent = await ok(triage.post(f"/api/meldingen/{melding_id}/attachments",
                                    headers=meldpunt, files={"file": ("brief.txt", letter)}),
                        201)
        assert sent["content_type"] == "text/plain"

        async def in_mailbox() -> bool:
            box = await ok(intake.client.get("/api/mailbox", headers=mailbox))
            return [f["from"] for f in box["attachments"]] == ["reporter", "reporter",
                                                               "meldpunt"]

        await eventually(in_mailbox)
        got = await intake.client.get(f"/api/mailbox/attachments/{sent['id']}",
                                      headers=mailbox)
        assert got.content == letter

        # Shredded: the files are gone from the stream, and answer 410.
        await closed_without_case(s, settings, melding_id)
        await ok(triage.post("/api/retention/run", headers=meldpunt))
        assert (await triage.get(photo_url, headers=meldpunt)).status_code == 410
        async with jetstream(settings) as js:
            info = await js.stream_info(files_stream(settings))
            assert info.state.messages == 0


async def test_a_malformed_or_unlimited_upload_changes_nothing(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"attachment_max_bytes": 1000,
                                                  "attachments_max_total_bytes": 1000,
                                                  "attachments_max_count": 1})
    async with running("intake", settings) as intake:
        filed = await ok(intake.client.post("/api/meldingen", json={
            "kind": "integrity_violation", "theme": "gifts", "anonymous": True,
            "description": "Een cadeaubon van een leverancier."}), 201)
        mailbox = await mailbox_token(intake, filed["receipt"])
        broken = await intake.client.post(
            "/api/mailbox/attachments", headers={
                **mailbox, "content-type": "multipart/form-data; boundary=xyz"},
            content=b"--xyz\r\nnot a header line at all\r\n\r\n\x00\x01")
        assert broken.status_code in (400, 422), broken.text
        endless = await intake.client.post(
            "/api/mailbox/attachments", headers=mailbox,
            files={"file": ("groot.txt", b"a" * 50_000)})
        assert endless.status_code == 413
        assert endless.json()["limit"] == "MELDINGEN_ATTACHMENT_MAX_BYTES"
        first = await intake.client.post("/api/mailbox/attachments", headers=mailbox,
                                         files={"file": ("a.txt", b"een")})
        assert first.status_code == 201
        second = await intake.client.post("/api/mailbox/attachments", headers=mailbox,
                                          files={"file": ("b.txt", b"twee")})
        assert second.status_code == 413
        assert second.json()["limit"] == "MELDINGEN_ATTACHMENTS_MAX_COUNT"
        box = await ok(intake.client.get("/api/mailbox", headers=mailbox))
        assert [f["name"] for f in box["attachments"]] == ["a.txt"]
        assert list((settings.var_dir / "tmp" / "intake").iterdir()) == []
