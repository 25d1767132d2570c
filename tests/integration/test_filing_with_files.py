"""`POST /api/meldingen` as multipart (issue 19): the melding's JSON document in the
part `melding` and its files in `attachments` parts; a refused file leaves the melding
filed with the others and is named with its reason; a request bad as a whole files
nothing."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from typing import Any

from shared.config import Settings
from shared.files.store import files_stream
from tests.files import gps_of, jpeg_with_gps
from tests.integration.test_attachments import mailbox_token
from tests.support import MELDING, NatsServer, eventually, jetstream, ok, running, token

EXECUTABLE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" * 40


async def test_a_melding_is_filed_with_its_files_and_told_which_were_refused(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"attachment_max_bytes": 200_000})
    meldpunt = token(settings, "meldpunt", "mia")
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running("intake", settings))
        triage = (await stack.enter_async_context(running("triage", settings))).client
        answer = await intake.client.post("/api/meldingen", data={
            "melding": json.dumps(MELDING)}, files=[
            ("attachments", ("tuin.jpg", jpeg_with_gps(), "image/jpeg")),
            ("attachments", ("foto.jpg", EXECUTABLE, "image/jpeg")),
            ("attachments", ("groot.txt", b"a" * 200_001, "text/plain"))])
        filed = await ok(answer, 201)
        assert set(filed) == {"id", "receipt", "acknowledged_at", "attachments", "refused"}
        [photo] = filed["attachments"]
        assert photo["name"] == "tuin.jpg" and photo["cleaned"] is True
        assert [(r["name"], r["status"], r["limit"]) for r in filed["refused"]] == [
            ("foto.jpg", 422, "MELDINGEN_ATTACHMENT_TYPES"),
            ("groot.txt", 413, "MELDINGEN_ATTACHMENT_MAX_BYTES")]
        assert all(r["detail"] for r in filed["refused"])

        # Filed with the photo alone, which the reporter and the meldpunt both find.
        mailbox = await mailbox_token(intake, filed["receipt"].replace(" ", ""))
        box = await ok(intake.client.get("/api/mailbox", headers=mailbox))
        assert [f["id"] for f in box["attachments"]] == [photo["id"]]
        url = f"/api/meldingen/{filed['id']}/attachments"

        async def arrived() -> bool:
            listed = await triage.get(url, headers=meldpunt)
            return listed.is_success and len(listed.json()) == 1

        await eventually(arrived)
        got = await triage.get(f"{url}/{photo['id']}", headers=meldpunt)
        assert got.status_code == 200 and gps_of(got.content) == {}

        # The JSON body answers as before: no file fields.
        plain = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        assert set(plain) == {"id", "receipt", "acknowledged_at"}


async def test_a_multipart_request_bad_as_a_whole_files_nothing(
        sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        photo = ("attachments", ("tuin.jpg", jpeg_with_gps(), "image/jpeg"))
        missing = await intake.client.post("/api/meldingen", data={"x": "y"}, files=[photo])
        assert missing.status_code == 422, missing.text
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in missing.json()["errors"]] == ["melding"]

        invalid = await intake.client.post("/api/meldingen", files=[photo], data={
            "melding": json.dumps({**MELDING, "theme": "no-such-theme"})})
        assert invalid.status_code == 422, invalid.text
        assert any("melding" in e["field"] and "theme" in e["field"]
                   for e in invalid.json()["errors"]), invalid.json()

        not_json = await intake.client.post("/api/meldingen", files=[photo],
                                            data={"melding": "{"})
        assert not_json.status_code == 400, not_json.text  # as a JSON body's would be

        # Nothing was filed, so no file was kept either.
        stored = intake.application.recorder.max_notification_id()
        assert not stored


async def _filed_without_the_photo(intake: Any) -> None:
    answer = await intake.client.post("/api/meldingen", data={
        "melding": json.dumps(MELDING)}, files=[
        ("attachments", ("tuin.jpg", jpeg_with_gps(), "image/jpeg"))])
    filed = await ok(answer, 201)
    assert filed["attachments"] == []
    [refused] = filed["refused"]
    assert refused["name"] == "tuin.jpg" and refused["status"] == 503, refused
    assert refused["detail"]
    # The melding is filed, and its mailbox holds no file the store never took.
    mailbox = await mailbox_token(intake, filed["receipt"].replace(" ", ""))
    box = await ok(intake.client.get("/api/mailbox", headers=mailbox))
    assert box["attachments"] == []


async def test_a_file_the_store_cannot_take_is_refused_and_the_melding_filed(
        sqlite_settings: Settings, nats_server: NatsServer) -> None:
    async with running("intake", sqlite_settings) as intake:
        # NATS is up, but the files stream is gone: the store denies the file.
        async with jetstream(sqlite_settings) as js:
            await js.delete_stream(files_stream(sqlite_settings))
        await _filed_without_the_photo(intake)
        # The file store (NATS) goes away; the log does not.
        nats_server.stop()
        await _filed_without_the_photo(intake)
