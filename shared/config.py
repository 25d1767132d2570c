"""Settings from the environment (`MELDINGEN_*`); nothing else reads `os.environ`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.devsecrets import development_secret

SERVICES = ("intake", "triage", "investigation", "reporting", "console")
ServiceName = Literal["intake", "triage", "investigation", "reporting", "console"]


class ConfigurationError(RuntimeError):
    """The configuration cannot work (for example a missing secret in production)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MELDINGEN_", extra="ignore")

    env: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    host: str = "127.0.0.1"
    log_level: str = "INFO"

    # Event stores: one SQLite file per service under var/ unless a URL is given.
    database_url: str | None = None
    # The PostgreSQL password, kept out of the URLs (for a docker secret).
    database_password: SecretStr | None = None
    database_password_file: Path | None = None
    intake_database_url: str | None = None
    triage_database_url: str | None = None
    investigation_database_url: str | None = None
    reporting_database_url: str | None = None
    console_database_url: str | None = None
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    # NATS: a comma-separated list of server URLs (all nodes of a cluster); unset, the
    # nats-server that `meldingen run` starts on `nats_port` (see `nats_servers`).
    nats_url: str | None = None
    stream: str = "MELDINGEN"
    stream_replicas: int = 1
    duplicate_window_seconds: float = 600.0
    # This process's NATS credentials: the nkey seed of its NATS user (one per service,
    # `auditor`, `admin`: shared/messaging/permissions.py). In development one seed per
    # user is made under var/secrets/.
    nats_seed: SecretStr | None = None
    nats_seed_file: Path | None = None
    # With tls:// URLs: the CA certificate that signed the NATS servers' certificates.
    nats_ca_file: Path | None = None

    # Signed integration events: this service's Ed25519 seed (base64), and the public
    # keys of every source, "intake=KEY,triage=KEY" or a file of "intake KEY" lines
    # (a source may have several: key rotation).
    event_signing_key: SecretStr | None = None
    event_signing_key_file: Path | None = None
    event_public_keys: str | None = None
    event_public_keys_file: Path | None = None

    intake_port: int = 8001
    triage_port: int = 8002
    investigation_port: int = 8003
    reporting_port: int = 8004
    console_port: int = 8005
    nats_port: int = 14222
    # Where the console reaches the four services' APIs (by default the embedded
    # run's address on their port).
    intake_api_url: str | None = None
    triage_api_url: str | None = None
    investigation_api_url: str | None = None
    reporting_api_url: str | None = None

    # Staff authentication: tokens signed with an asymmetric key (the console's, or the
    # organisation's identity provider), verified against public keys only: a JWKS file
    # and/or JWKS URLs (comma-separated). Development trusts var/secrets/jwks.json.
    jwks_file: Path | None = None
    jwks_url: str | None = None
    # An unknown `kid` refetches the URLs, at most this often (a flood of made-up kids
    # must not become a flood of requests to the identity provider).
    jwks_refetch_seconds: float = Field(default=30.0, ge=0)
    jwt_issuer: str = "meldingen"
    jwt_audience: str = "meldingen"
    # The longest a staff token may live (`exp` - `iat`, and `exp` from now).
    token_ttl_seconds: int = Field(default=8 * 3600, ge=60)

    # Proxies whose X-Forwarded-For is believed (comma-separated addresses or
    # networks); empty: none, the peer's own address is the client's.
    forwarded_allow_ips: str = ""

    # Encryption at rest (eventsourcing's AES-GCM cipher), base64 key.
    cipher_key: SecretStr | None = None
    cipher_key_file: Path | None = None

    # Keyed hash of receipt codes (BLAKE2b), base64 key.
    receipt_key: SecretStr | None = None
    receipt_key_file: Path | None = None

    # The reporter's mailbox: a short-lived token per login. A login with a solved
    # proof of work (about 2^bits hashes) is not limited per address; without one,
    # failures are limited per client address; logins per melding, within a window.
    mailbox_token_ttl_seconds: int = 15 * 60
    # Days within which a reporter who asked to meet is met (intake's meeting requests).
    meeting_request_term_days: int = Field(default=7, ge=1, le=90)
    mailbox_login_window_seconds: int = 15 * 60
    mailbox_login_failures_per_client: int = 10
    mailbox_logins_per_melding: int = 20
    mailbox_proof_bits: int = Field(default=16, ge=1, le=32)
    mailbox_proof_ttl_seconds: int = Field(default=10 * 60, ge=10)

    # The confidential advisers' public keys: base64, or a file with one base64 key
    # per line (the last line is the current key; older ones still open). One set for
    # the integrity adviser (VPI), one for the conduct adviser (VPOO): an identity
    # sealed to one cannot be opened by the other.
    adviser_public_key: str | None = None
    adviser_public_key_file: Path | None = None
    conduct_adviser_public_key: str | None = None
    conduct_adviser_public_key_file: Path | None = None

    # Per-melding data keys (docs/privacy.md, "Retention and crypto-shredding"): this
    # service's keyring secret (base64, 32 bytes; in development one per service under
    # var/secrets/), and every service's keyring public key, "intake=KEY,triage=KEY"
    # or a file of "intake KEY" lines (in development they follow from the secrets).
    keyring_key: SecretStr | None = None
    keyring_key_file: Path | None = None
    keyring_public_keys: str | None = None
    keyring_public_keys_file: Path | None = None
    # Transport keys by epoch (docs/privacy.md, "Transport keys by epoch"): how often a
    # receiving service makes a new one, and how long after being superseded an epoch
    # is still offered (longer than a sender's refresh, a second) before it ends.
    transport_key_rotation_seconds: float = Field(default=86400.0, gt=0)
    transport_key_grace_seconds: float = Field(default=3600.0, gt=1)

    # Retention terms in days after closing (shared/retention.py has the defaults and
    # their reasons): one for every outcome, and per outcome, which wins over it.
    retention_days: int | None = Field(default=None, ge=0)
    retention_days_inadmissible: int | None = Field(default=None, ge=0)
    retention_days_no_follow_up: int | None = Field(default=None, ge=0)
    retention_days_conversation: int | None = Field(default=None, ge=0)
    retention_days_investigation_without_measures: int | None = Field(default=None, ge=0)
    retention_days_investigation_with_measures: int | None = Field(default=None, ge=0)
    retention_days_referred: int | None = Field(default=None, ge=0)
    # How often triage checks which meldingen are due for shredding.
    retention_check_seconds: float = Field(default=3600.0, gt=0)
    # How often triage and investigation store their views' position (and triage
    # retention's changed rows; also at shutdown): a start reads only the events after
    # it, not the whole history.
    view_flush_seconds: float = Field(default=5.0, gt=0)
    # Queue pages triage keeps as sent (services/triage/api/page_cache.py); 0: none.
    queue_pages_kept: int = Field(default=256, ge=0)

    max_body_bytes: int = 64 * 1024
    # Attachments (shared/files/): per file, per melding, how many per melding, and the
    # types let in (groups image, pdf, office, opendocument, text, audio, or types).
    attachment_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    attachments_max_total_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    attachments_max_count: int = Field(default=10, ge=1, le=1000)
    attachment_types: str = "image,pdf,office,opendocument,text,audio"
    # Threads for blocking work (few: the GIL; c16 login p99 34-44 ms with 8, 52-78 with
    # 40); the damage sweep's share of a core, and days until it reads all again.
    worker_threads: int = Field(default=8, ge=1, le=256)
    sweep_share: float = Field(default=0.25, gt=0, le=1)
    sweep_again_days: float = Field(default=30.0, ge=0)

    # Reporting: counts under this are published as "<N"; the audit's signed
    # checkpoints (ed25519 seed, base64) of every hash chain's head, this often.
    report_threshold: int = 3
    checkpoint_interval_seconds: float = 60.0
    checkpoint_key: SecretStr | None = None
    checkpoint_key_file: Path | None = None
    # The public key verify trusts (base64); unset, it is the signing key's own. Set
    # on an auditor's machine, verify needs no private key there.
    checkpoint_public_key: str | None = None
    # Optionally a third copy of every checkpoint, one JSON line each, in a file that
    # only grows (chattr +a, or a WORM mount): outside both the stores and the stream.
    checkpoint_log_file: Path | None = None

    # The console: where staff reach it (enrolment links, OIDC redirects, the
    # tokens' issuer, the Origin every post must come from), its token signing key
    # (an Ed25519 private key, PEM), and its sign-in and session limits.
    console_url: str | None = None
    console_signing_key: SecretStr | None = None
    console_signing_key_file: Path | None = None
    console_token_ttl_seconds: int = Field(default=5 * 60, ge=30, le=3600)
    console_session_idle_seconds: int = 30 * 60
    console_session_absolute_seconds: int = 10 * 3600
    console_failure_delay_seconds: float = Field(default=1.0, ge=0)
    # OIDC (authorization code with PKCE): the provider decides who, the directory what.
    console_oidc_issuer: str | None = None
    console_oidc_client_id: str | None = None
    console_oidc_client_secret: SecretStr | None = None
    console_oidc_client_secret_file: Path | None = None
    console_oidc_match_claim: Literal["sub", "email"] = "sub"
    # Notifications to staff (the console sends them): the SMTP server, smtp://host:port
    # (STARTTLS when offered) or smtps://host:port (TLS); unset in development, mails
    # go to var/mail/sent.jsonl and the console shows them. The sender, and the login.
    smtp_url: str | None = None
    smtp_from: str = "meldingen@localhost"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    # How often the clock check decides reminders and digests; the local hour from
    # which the day's digest goes; the longest pause between tries of a mail.
    notify_check_seconds: float = Field(default=60.0, gt=0)
    notify_digest_hour: int = Field(default=8, ge=0, le=23)
    notify_retry_max_seconds: float = Field(default=60.0, gt=0)
    # A postman claims a mail for this long before each try, so that another (a
    # replica) leaves it alone; longer than an SMTP try may take (30 s).
    notify_claim_seconds: float = Field(default=120.0, gt=0)

    # Investigation: the person concerned's term to respond to the draft report
    # (zienswijze; the local investigation protocol's choice, no seed fixes it), and
    # how often investigation checks for terms that passed without a response.
    response_term_days: int = Field(default=14, ge=1, le=365)
    response_term_check_seconds: float = Field(default=60.0, gt=0)

    # Triage: days after a melding's closing by which the meldpunt checks in with the
    # persons it protects (against disadvantage after the closing).
    protection_follow_up_days: int = Field(default=90, ge=1, le=730)
    # Triage: days after a melding's closing by which the meldpunt writes the closing
    # feedback (the organisation's choice; past it the melding is marked overdue).
    closing_feedback_days: int = Field(default=5, ge=1, le=90)

    # Routing (services/triage/domain/routing.py): who acts as the competent authority
    # for a melding about an employee or an unknown person (a sub), and a TOML file
    # that replaces the shipped rules it names.
    default_competent_authority: str | None = None
    routing_file: Path | None = None
    # The competent authority decides on every melding, "not admissible" advice
    # included; an organisation that mandates the meldpunt to close those itself
    # turns this on (docs/routing.md).
    meldpunt_closes_inadmissible: bool = False

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        """No default secret in production: name everything missing, at start, at once."""
        if self.env != "production":
            return self
        missing = [
            name for name, given in (
                ("MELDINGEN_JWKS_FILE or MELDINGEN_JWKS_URL", self.jwks_file or self.jwks_url),
                ("MELDINGEN_CIPHER_KEY(_FILE)", self.cipher_key or self.cipher_key_file),
                ("MELDINGEN_RECEIPT_KEY(_FILE)", self.receipt_key or self.receipt_key_file),
            ) if not given
        ]
        if missing:
            raise ConfigurationError(
                "MELDINGEN_ENV=production has no default secrets; set " + ", ".join(missing))
        return self

    @model_validator(mode="after")
    def _grace_outlasts_deduplication(self) -> Settings:
        """A copy published again after its pinned epoch's grace seals to another
        epoch: new bytes under the same message id, which only a copy past JetStream's
        de-duplication may be (docs/privacy.md, "A copy published again")."""
        if self.transport_key_grace_seconds <= self.duplicate_window_seconds:
            raise ConfigurationError(
                f"MELDINGEN_TRANSPORT_KEY_GRACE_SECONDS ({self.transport_key_grace_seconds:g})"
                " must exceed MELDINGEN_DUPLICATE_WINDOW_SECONDS"
                f" ({self.duplicate_window_seconds:g})")
        return self

    @property
    def nats_servers(self) -> list[str]:
        """The one way to the NATS servers, for the services and every CLI command."""
        if self.nats_url is None:
            return [f"nats://127.0.0.1:{self.nats_port}"]
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    @property
    def jwks_urls(self) -> list[str]:
        return [url.strip() for url in (self.jwks_url or "").split(",") if url.strip()]

    @property
    def forwarded_allow_list(self) -> list[str]:
        return [ip.strip() for ip in self.forwarded_allow_ips.split(",") if ip.strip()]

    def port_of(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))

    def api_url_of(self, service: str) -> str:
        own = getattr(self, f"{service}_api_url")
        return str(own).rstrip("/") if own else f"http://127.0.0.1:{self.port_of(service)}"

    def database_url_of(self, service: str) -> str:
        """The event store of one service: its own override, the shared server, or SQLite."""
        own = getattr(self, f"{service}_database_url")
        if own:
            return str(own)
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / f'{service}.sqlite').resolve()}"

    def secret(self, value: SecretStr | None, file: Path | None, name: str, make: str,
               *, dev_file: str | None = None) -> str:
        """A secret from the environment or a file; in development, generated into
        var/secrets/`dev_file` (default: `name`). `make`: see shared.devsecrets."""
        if value is not None:
            return value.get_secret_value()
        if file is not None:
            return _read(file, f"MELDINGEN_{name.upper()}_FILE")
        if self.env == "production":
            raise ConfigurationError(f"production needs MELDINGEN_{name.upper()}(_FILE)")
        return development_secret(self.var_dir / "secrets" / (dev_file or name), make)

    def nats_seed_of(self, user: str) -> str:
        """The nkey seed this process connects to NATS with, as `user`."""
        return self.secret(self.nats_seed, self.nats_seed_file, "nats_seed", "nkey",
                           dev_file=f"nats_{user}.nk")

    def event_signing_seed_of(self, service: str) -> str:
        """The Ed25519 seed (base64) `service` signs its integration events with."""
        return self.secret(self.event_signing_key, self.event_signing_key_file,
                           "event_signing_key", "key32", dev_file=f"event_signing_{service}")

    def event_public_keys_text(self) -> str | None:
        """The configured public keys of every source; None in development without
        them (then they follow from the generated seeds)."""
        if self.event_public_keys is not None:
            return self.event_public_keys
        if self.event_public_keys_file is not None:
            return _read(self.event_public_keys_file, "MELDINGEN_EVENT_PUBLIC_KEYS_FILE")
        if self.env == "production":
            raise ConfigurationError("production needs MELDINGEN_EVENT_PUBLIC_KEYS(_FILE)")
        return None

    def keyring_secret_of(self, service: str) -> str:
        """The keyring secret (base64) `service` wraps and receives data keys with."""
        return self.secret(self.keyring_key, self.keyring_key_file, "keyring_key", "key32",
                           dev_file=f"keyring_{service}")

    def keyring_public_keys_text(self) -> str | None:
        """The configured keyring public keys of every service; None in development
        without them (then they follow from the generated secrets)."""
        if self.keyring_public_keys is not None:
            return self.keyring_public_keys
        if self.keyring_public_keys_file is not None:
            return _read(self.keyring_public_keys_file, "MELDINGEN_KEYRING_PUBLIC_KEYS_FILE")
        if self.env == "production":
            raise ConfigurationError("production needs MELDINGEN_KEYRING_PUBLIC_KEYS(_FILE)")
        return None

    @property
    def database_password_value(self) -> str | None:
        """The PostgreSQL password if one is given apart from the URL; never generated."""
        if self.database_password is None and self.database_password_file is None:
            return None
        return self.secret(self.database_password, self.database_password_file,
                           "database_password", "token")

    @property
    def smtp_password_value(self) -> str | None:
        """The SMTP password if one is given; never generated."""
        if self.smtp_password is None and self.smtp_password_file is None:
            return None
        return self.secret(self.smtp_password, self.smtp_password_file, "smtp_password",
                           "token")

    @property
    def receipt_key_b64(self) -> str:
        return self.secret(self.receipt_key, self.receipt_key_file, "receipt_key", "key32")

    @property
    def cipher_key_b64(self) -> str:
        return self.secret(self.cipher_key, self.cipher_key_file, "cipher_key", "key32")

    @property
    def checkpoint_key_b64(self) -> str:
        return self.secret(self.checkpoint_key, self.checkpoint_key_file, "checkpoint_key",
                           "key32")


def _read(file: Path, variable: str) -> str:
    try:
        return file.read_text().strip()
    except OSError as exc:
        raise ConfigurationError(f"{variable} cannot be read: {exc.strerror}") from None


class AdviserSettings(BaseSettings):
    """What `meldingen adviser` reads on the confidential adviser's own machine: no
    service's secret, so that revealing an identity in production needs only the
    adviser's key file, passphrase and token, and intake's address."""

    model_config = SettingsConfigDict(env_prefix="MELDINGEN_", extra="ignore")

    env: Literal["development", "production"] = "development"
    # intake's address; in development the embedded run's.
    intake_url: str | None = None
    # Instead of a prompt; never a command-line argument (the process list, the history).
    adviser_passphrase: SecretStr | None = None


@lru_cache
def get_settings() -> Settings:
    return Settings()
