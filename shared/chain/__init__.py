"""Hash chains that make the event log tamper-evident: the links (`hashing`) and the
relay's seals of them in each service's database (`seals`). Verifying them is the
reporting service's audit (`services.reporting.domain.chains`)."""

from shared.chain.hashing import GENESIS, StoredRecord, envelope_hash, store_link
from shared.chain.seals import (
    Heads,
    OutboxChain,
    OutboxSealed,
    SealBatch,
    seal_id,
    sealed_links,
    seals_recorder,
)

__all__ = ["GENESIS", "Heads", "OutboxChain", "OutboxSealed", "SealBatch", "StoredRecord",
           "envelope_hash", "seal_id", "sealed_links", "seals_recorder", "store_link"]
