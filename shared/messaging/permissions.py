"""Who may do what on NATS: one user per service, a read-only `auditor`, and `admin`.

The nats-server's `authorization` block is written from here, for the embedded run,
the tests and deploy/ alike (`meldingen nats config`), so the rules live once:

- a service publishes only its own subjects `meldingen.<service>.>`, and of the
  JetStream API only what its inbox needs: the stream's info, and create, info,
  delete and pull ("MSG.NEXT") of its own durable consumer, whose acks it sends;
- the services that read the whole stream for the audit (reporting, the auditor)
  may also create an ephemeral ordered consumer and answer its flow control;
- replies come to a per-user inbox `_INBOX.<user>.>`: with one shared `_INBOX.>`
  any user could subscribe to the others' deliveries;
- the services that keep files (intake, triage, investigation) publish chunks on
  their own `meldingen_files.<service>.>` and read any chunk of the files stream by
  its subject; triage, which shreds, may also purge it;
- every service reads the transport keys' bucket (`shared.messaging.epochs`), and a
  receiver of sealed keys (triage, investigation) puts its own entry, no other;
- only `admin` (used by `meldingen run`, `meldingen nats setup` and the tests, never
  by a service) creates and updates the stream. No anonymous user exists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from shared.config import SERVICES
from shared.files.store import SUBJECT_ROOT, files_stream_name
from shared.transportkeys import RECEIVERS, transport_bucket

ADMIN = "admin"
AUDITOR = "auditor"
#: Who reads the whole stream with an ephemeral ordered consumer (replay, verify).
READERS = ("reporting", AUDITOR)
#: Who keeps files in the files stream (shared/files/store.py), and who purges them.
FILE_KEEPERS = ("intake", "triage", "investigation")
FILE_PURGER = "triage"


def users() -> tuple[str, ...]:
    return (*SERVICES, AUDITOR, ADMIN)


def inbox_prefix(user: str) -> str:
    return f"_INBOX.{user}"


def permissions(user: str, stream: str) -> dict[str, dict[str, list[str]]]:
    api = f"$JS.API.{{}}.{stream}"
    if user == ADMIN:
        return {"publish": {"allow": [">"]}, "subscribe": {"allow": [">"]}}
    publish = [api.format("STREAM.INFO")]
    if user in SERVICES:
        durable = user  # the inbox's durable consumer is named after its service
        publish += [
            f"meldingen.{user}.>",
            f"{api.format('CONSUMER.DURABLE.CREATE')}.{durable}",
            f"{api.format('CONSUMER.CREATE')}.{durable}",
            f"{api.format('CONSUMER.CREATE')}.{durable}.>",
            f"{api.format('CONSUMER.INFO')}.{durable}",
            f"{api.format('CONSUMER.DELETE')}.{durable}",
            f"{api.format('CONSUMER.MSG.NEXT')}.{durable}",
            f"$JS.ACK.{stream}.{durable}.>",
        ]
    if user in FILE_KEEPERS:
        files = files_stream_name(stream)
        publish += [f"{SUBJECT_ROOT}.{user}.>", f"$JS.API.STREAM.MSG.GET.{files}"]
        if user == FILE_PURGER:
            publish.append(f"$JS.API.STREAM.PURGE.{files}")
    if user in SERVICES:
        kv = transport_bucket(stream)
        publish.append(f"$JS.API.STREAM.MSG.GET.KV_{kv}")
        if user in RECEIVERS:
            publish.append(f"$KV.{kv}.{user}")
    if user in READERS:
        # No name in the subject: the server refuses a durable name there, and
        # names the ephemeral consumer itself.
        publish += [api.format("CONSUMER.CREATE"), f"$JS.FC.{stream}.>"]
    return {"publish": {"allow": publish},
            "subscribe": {"allow": [f"{inbox_prefix(user)}.>"]}}


def authorization(public_keys: Mapping[str, str], stream: str) -> str:
    """The nats-server `authorization` block for these users' public nkeys."""
    entries = [
        f"    {{nkey: {public_keys[user]}, permissions: "
        f"{json.dumps(permissions(user, stream))}}}"
        for user in users()
    ]
    return "authorization {\n  users: [\n" + "\n".join(entries) + "\n  ]\n}\n"
