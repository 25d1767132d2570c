"""A melding's data key and what is done with it (docs/privacy.md, "Retention and
crypto-shredding"): encrypt a field, wrap the key for a service's own store, seal it
to another service for the stream.

- A data key is 32 random bytes. A field is encrypted with XChaCha20-Poly1305
  (a random 24-byte nonce, safe to draw at random unlike AES-GCM's 12) with the melding
  id and the field's name as associated data: a ciphertext copied to another melding
  or another field does not open.
- A service's keyring secret gives two keys for two jobs (keyed BLAKE2b, as
  `shared.crypto.derive_key`): a key-encryption key for its own wrapped copies, and a
  Curve25519 key pair others seal data keys to.
- A sealed data key carries its melding id inside the box, because a sealed box has
  no associated data: a box meant for one melding is refused for another.
- What goes on the stream is deterministic: the relay may publish an event again
  after a crash, and the copy must hash as the first did (the stream's hash chain,
  JetStream's de-duplication keeps the first). So a sealed key's ephemeral key pair,
  and a stream field's nonce, are derived from the data key and what is encrypted
  (as a synthetic IV: the same nonce only ever for the same plaintext).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from hashlib import blake2b

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    crypto_box_easy,
    crypto_scalarmult_base,
)
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from shared.crypto import b64, derive_key, unb64

KEY_BYTES = 32
NONCE_BYTES: int = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#: Marks an encrypted field (and its format's version) in text that held plaintext.
FIELD_PREFIX = "mk1:"


class KeyringError(Exception):
    """A key or a ciphertext does not open: altered, or meant for another melding."""


@dataclass(frozen=True, repr=False)
class DataKey:
    """One melding's key; `repr` shows no byte of it (it may end up in a traceback)."""

    melding_id: str
    secret: bytes

    @classmethod
    def generate(cls, melding_id: str) -> DataKey:
        return cls(melding_id, secrets.token_bytes(KEY_BYTES))

    def __repr__(self) -> str:
        return f"DataKey(melding_id={self.melding_id!r})"

    def encrypt(self, field: str, plaintext: str) -> str:
        return self.encrypt_bytes(field, plaintext.encode())

    def decrypt(self, field: str, ciphertext: str) -> str:
        return self.decrypt_bytes(field, ciphertext).decode()

    def encrypt_bytes(self, field: str, plaintext: bytes, *, derived_from: bytes | None = None
                      ) -> str:
        """`field` names what is encrypted (a field, or an event's set of fields): it
        is bound to the ciphertext with the melding id. With `derived_from` (what makes
        this encryption unique, e.g. a message id) the nonce is derived, not drawn: the
        same call gives the same ciphertext."""
        nonce = (secrets.token_bytes(NONCE_BYTES) if derived_from is None else
                 blake2b(derived_from + b"\x00" + self._associated(field) + b"\x00"
                         + plaintext, digest_size=NONCE_BYTES, key=self.secret).digest())
        box = crypto_aead_xchacha20poly1305_ietf_encrypt(
            plaintext, self._associated(field), nonce, self.secret)
        return FIELD_PREFIX + b64(nonce + box)

    def decrypt_bytes(self, field: str, ciphertext: str) -> bytes:
        if not is_encrypted(ciphertext):
            raise KeyringError(f"{field} is not an encrypted field")
        try:
            raw = unb64(ciphertext[len(FIELD_PREFIX):])
            return crypto_aead_xchacha20poly1305_ietf_decrypt(
                raw[NONCE_BYTES:], self._associated(field), raw[:NONCE_BYTES], self.secret)
        except (CryptoError, ValueError):
            raise KeyringError(
                f"{field} does not open with melding {self.melding_id}'s key") from None

    def seal_blob(self, part: str, data: bytes) -> bytes:
        """Bytes as bytes (a file's chunk: no base64 on a large payload), bound to the
        melding and `part` (which file, which chunk) as `encrypt_bytes` binds a field."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + crypto_aead_xchacha20poly1305_ietf_encrypt(
            data, self._associated(part), nonce, self.secret)

    def open_blob(self, part: str, sealed: bytes) -> bytes:
        try:
            return crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed[NONCE_BYTES:], self._associated(part), sealed[:NONCE_BYTES],
                self.secret)
        except (CryptoError, ValueError):
            raise KeyringError(
                f"{part} does not open with melding {self.melding_id}'s key") from None

    def _associated(self, field: str) -> bytes:
        return f"{self.melding_id}\x00{field}".encode()


def is_encrypted(text: str) -> bool:
    return text.startswith(FIELD_PREFIX)


class ServiceKeys:
    """A service's two keys, from its keyring secret (base64, 32 bytes)."""

    def __init__(self, secret_b64: str) -> None:
        self._wrapping = derive_key(secret_b64, "meldingen:keyring:wrap")
        self._private = PrivateKey(derive_key(secret_b64, "meldingen:keyring:transport"))

    @property
    def public_key(self) -> bytes:
        """What the other services seal this service's data keys to."""
        return bytes(self._private.public_key)

    def wrap(self, key: DataKey) -> bytes:
        """The key as this service keeps it in its own key table."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + crypto_aead_xchacha20poly1305_ietf_encrypt(
            key.secret, key.melding_id.encode(), nonce, self._wrapping)

    def unwrap(self, melding_id: str, wrapped: bytes) -> DataKey:
        try:
            secret = crypto_aead_xchacha20poly1305_ietf_decrypt(
                wrapped[NONCE_BYTES:], melding_id.encode(), wrapped[:NONCE_BYTES],
                self._wrapping)
        except CryptoError:
            raise KeyringError(
                f"the key of melding {melding_id} does not open with this service's "
                "keyring secret") from None
        return DataKey(melding_id, secret)

    def open_sealed(self, melding_id: str, sealed: bytes) -> DataKey:
        """A data key another service sealed to this one's fixed pair (`seal_to`)."""
        return open_sealed(self._private, melding_id, sealed)

    def wrap_epoch(self, epoch: int, private: PrivateKey) -> bytes:
        """An epoch's transport private key as this service keeps it (its epoch table),
        under the same key-encryption key, bound to the epoch."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + crypto_aead_xchacha20poly1305_ietf_encrypt(
            bytes(private), _epoch_label(epoch), nonce, self._wrapping)

    def unwrap_epoch(self, epoch: int, wrapped: bytes) -> PrivateKey:
        try:
            return PrivateKey(crypto_aead_xchacha20poly1305_ietf_decrypt(
                wrapped[NONCE_BYTES:], _epoch_label(epoch), wrapped[:NONCE_BYTES],
                self._wrapping))
        except CryptoError:
            raise KeyringError(f"transport epoch {epoch} does not open with this "
                               "service's keyring secret") from None


def _epoch_label(epoch: int) -> bytes:
    return f"transport-epoch:{epoch}".encode()


def open_sealed(private: PrivateKey, melding_id: str, sealed: bytes) -> DataKey:
    """A data key sealed (`seal_to`) to `private`'s public half: the fixed pair's or
    an epoch's."""
    try:
        content = SealedBox(private).decrypt(sealed)
    except CryptoError:
        raise KeyringError(
            f"the sealed key of melding {melding_id} is not for this key") from None
    secret, named = content[:KEY_BYTES], content[KEY_BYTES:]
    if len(secret) != KEY_BYTES or not hmac.compare_digest(named, melding_id.encode()):
        raise KeyringError(f"the sealed key is not melding {melding_id}'s")
    return DataKey(melding_id, secret)


def seal_to(public_key: bytes, key: DataKey) -> bytes:
    """The data key for the service whose keyring public key this is (for the stream):
    libsodium's sealed box (`crypto_box_seal`, which `SealedBox` opens), with its
    ephemeral key derived from the data key and the recipient, so sealing again gives
    the same box. The ephemeral secret is as secret as the data key it comes from."""
    recipient = bytes(PublicKey(public_key))
    ephemeral = blake2b(b"meldingen:keyring:seal\x00" + recipient + key.melding_id.encode(),
                        digest_size=32, key=key.secret).digest()
    ephemeral_public = crypto_scalarmult_base(ephemeral)
    # libsodium's generichash is unkeyed BLAKE2b: the nonce crypto_box_seal_open derives.
    nonce = blake2b(ephemeral_public + recipient, digest_size=24).digest()
    return ephemeral_public + crypto_box_easy(key.secret + key.melding_id.encode(), nonce,
                                              recipient, ephemeral)
