"""Settings: production refuses to start without its secrets (and says which), the
embedded run makes its own secrets under var/secrets, owner-only."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from shared.config import ConfigurationError, Settings, get_settings
from shared.eventstore import with_password

ROOT = Path(__file__).resolve().parents[2]
ALL_SECRETS = ("MELDINGEN_JWKS_FILE", "MELDINGEN_CIPHER_KEY", "MELDINGEN_RECEIPT_KEY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets: no MELDINGEN_* from the shell that runs the suite."""
    for name in list(os.environ):
        if name.startswith("MELDINGEN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()


VALUES = {"cipher_key": base64.b64encode(b"c" * 32).decode(),
          "receipt_key": base64.b64encode(b"r" * 32).decode()}


def secret_files(tmp_path: Path) -> dict[str, Path]:
    """The common secrets as files, as docker secrets arrive, and the staff tokens'
    public keys (a JWKS file)."""
    jwks = tmp_path / "run-secrets" / "staff_jwks.json"
    jwks.parent.mkdir(exist_ok=True)
    jwks.write_text('{"keys": []}')
    files = {"jwks_file": jwks}
    for name, value in VALUES.items():
        files[f"{name}_file"] = tmp_path / "run-secrets" / name
        files[f"{name}_file"].parent.mkdir(exist_ok=True)
        files[f"{name}_file"].write_text(f"{value}\n")
    return files


def test_production_without_secrets_names_every_missing_one() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings(env="production")
    message = str(refused.value)
    assert "production" in message
    for name in ALL_SECRETS:
        assert name in message


def test_production_names_only_what_is_missing() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings(env="production", jwks_url="https://idp.example.org/jwks.json",
                 cipher_key=SecretStr("k"))
    message = str(refused.value)
    assert "MELDINGEN_RECEIPT_KEY" in message
    assert "MELDINGEN_JWKS" not in message and "MELDINGEN_CIPHER_KEY" not in message


def test_production_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MELDINGEN_ENV", "production")
    with pytest.raises(ConfigurationError, match="MELDINGEN_CIPHER_KEY"):
        Settings()


def test_production_reads_secrets_from_files_and_generates_nothing(tmp_path: Path) -> None:
    settings = Settings(env="production", var_dir=tmp_path / "var", **secret_files(tmp_path))
    assert settings.cipher_key_b64 == VALUES["cipher_key"]
    assert settings.receipt_key_b64 == VALUES["receipt_key"]
    assert not (tmp_path / "var" / "secrets").exists()


def test_production_with_an_unreadable_secret_file_fails_clearly(tmp_path: Path) -> None:
    files = secret_files(tmp_path)
    files["cipher_key_file"] = tmp_path / "nowhere"
    settings = Settings(env="production", var_dir=tmp_path / "var", **files)
    with pytest.raises(ConfigurationError, match="MELDINGEN_CIPHER_KEY_FILE cannot be read"):
        _ = settings.cipher_key_b64


def test_production_with_a_jwks_url_needs_no_jwks_file(tmp_path: Path) -> None:
    files = secret_files(tmp_path)
    del files["jwks_file"]
    Settings(env="production", jwks_url="https://login.example.org/jwks.json", **files)


def test_the_nats_url_is_derived_one_way_from_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command (services, audit, replay) finds NATS through `nats_servers`: the
    port of the embedded server unless MELDINGEN_NATS_URL names others."""
    monkeypatch.setenv("MELDINGEN_NATS_PORT", "15999")
    assert Settings().nats_servers == ["nats://127.0.0.1:15999"]
    monkeypatch.setenv("MELDINGEN_NATS_URL", "nats://elsewhere:4222")
    assert Settings().nats_servers == ["nats://elsewhere:4222"]


@pytest.mark.parametrize("command", [["serve", "intake"], ["run"],
                                     ["token", "--role", "meldpunt", "--sub", "a"]])
def test_the_cli_in_production_without_secrets_stops_with_the_message(
    command: list[str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    env.update(MELDINGEN_ENV="production", MELDINGEN_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "-m", "shared.cli", *command], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "MELDINGEN_JWKS_FILE" in result.stderr and "MELDINGEN_RECEIPT_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "secrets").exists()


def test_a_service_missing_its_own_secret_stops_with_the_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    env.update(MELDINGEN_ENV="production", MELDINGEN_VAR_DIR=str(tmp_path / "var"))
    env.update({f"MELDINGEN_{k.upper()}": str(v) for k, v in secret_files(tmp_path).items()})
    result = subprocess.run([sys.executable, "-m", "shared.cli", "serve", "intake"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "MELDINGEN_ADVISER_PUBLIC_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_generates_owner_only_secrets_under_var(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    receipt_key, cipher_key = settings.receipt_key_b64, settings.cipher_key_b64
    secrets_dir = tmp_path / "var" / "secrets"
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    for name in ("receipt_key", "cipher_key"):
        assert stat.S_IMODE((secrets_dir / name).stat().st_mode) == 0o600
    assert len(base64.b64decode(cipher_key)) == 32
    # Another process (another Settings) reads the same secrets, never new ones.
    again = Settings(var_dir=tmp_path / "var")
    assert (again.receipt_key_b64, again.cipher_key_b64) == (receipt_key, cipher_key)
    assert list(secrets_dir.glob("*.tmp")) == []


def test_development_secrets_made_concurrently_are_one_secret(tmp_path: Path) -> None:
    seen: list[str] = []

    def make() -> None:
        seen.append(Settings(var_dir=tmp_path / "var").receipt_key_b64)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1


def test_environment_variables_reach_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MELDINGEN_INTAKE_PORT", "9101")
    monkeypatch.setenv("MELDINGEN_NATS_URL", "nats://n1:4222, nats://n2:4222,nats://n3:4222")
    monkeypatch.setenv("MELDINGEN_STREAM_REPLICAS", "3")
    settings = Settings()
    assert settings.port_of("intake") == 9101
    assert settings.nats_servers == ["nats://n1:4222", "nats://n2:4222", "nats://n3:4222"]
    assert settings.stream_replicas == 3


def test_each_service_has_its_own_store(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    assert settings.database_url_of("intake") == f"sqlite:///{tmp_path}/var/intake.sqlite"
    shared = Settings(database_url="postgresql+psycopg://m@db/m",
                      triage_database_url="postgresql+psycopg://t@other/t")
    assert shared.database_url_of("intake") == "postgresql+psycopg://m@db/m"
    assert shared.database_url_of("triage") == "postgresql+psycopg://t@other/t"


def test_database_password_from_a_file_joins_the_url(tmp_path: Path) -> None:
    password = tmp_path / "pg"
    password.write_text("s3cr:et/\n")
    settings = Settings(database_url="postgresql+psycopg://meldingen@db:5432/meldingen",
                        database_password_file=password)
    url = with_password(settings.database_url_of("intake"), settings.database_password_value)
    assert url == "postgresql+psycopg://meldingen:s3cr%3Aet%2F@db:5432/meldingen"
    # A URL that carries its own password keeps it; SQLite has none.
    assert with_password("postgresql://a:b@h/d", "other") == "postgresql://a:b@h/d"
    assert with_password("sqlite:////tmp/x.sqlite", "other") == "sqlite:////tmp/x.sqlite"
    assert Settings().database_password_value is None


def test_every_setting_is_documented() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = []
    for name in Settings.model_fields:
        variable = f"MELDINGEN_{name.upper()}"
        # `X_FILE` may be documented together with `X` as `X(_FILE)`.
        base = variable.removesuffix("_FILE")
        if variable not in documented and f"{base}(_FILE)" not in documented:
            missing.append(variable)
    assert missing == []


def test_worker_threads_default_to_8_and_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Few worker threads unless told otherwise (MELDINGEN_WORKER_THREADS)."""
    assert Settings().worker_threads == 8
    monkeypatch.setenv("MELDINGEN_WORKER_THREADS", "3")
    assert Settings().worker_threads == 3


@pytest.mark.parametrize("value", ["0", "300"])
def test_worker_threads_out_of_range_are_refused_by_name(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No threads at all, or a number past the limit (256), stops at start naming the
    setting, rather than a service that hangs or thrashes."""
    monkeypatch.setenv("MELDINGEN_WORKER_THREADS", value)
    with pytest.raises(ValidationError, match="worker_threads"):
        Settings()
    with pytest.raises(ValidationError, match="worker_threads"):
        Settings(worker_threads=int(value))


def test_a_transport_key_grace_within_the_duplicate_window_is_refused_by_name() -> None:
    """A grace no longer than JetStream's de-duplication would let a copy published
    again, sealed to a newer epoch, be dropped as a duplicate while the relay's hash
    chain took its bytes: refused at start, naming both settings."""
    for grace, window in ((600.0, 600.0), (300.0, 600.0)):
        with pytest.raises(ConfigurationError, match=(
                r"MELDINGEN_TRANSPORT_KEY_GRACE_SECONDS.*MELDINGEN_DUPLICATE_WINDOW_SECONDS")):
            Settings(transport_key_grace_seconds=grace, duplicate_window_seconds=window)
    assert Settings(transport_key_grace_seconds=601, duplicate_window_seconds=600)
    assert Settings().transport_key_grace_seconds > Settings().duplicate_window_seconds
