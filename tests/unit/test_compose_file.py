"""docker-compose.yml against the code (Docker itself cannot run here): every command
exists in the CLI, every MELDINGEN_* variable is a setting, the settings it makes
are valid for production, ports match, each service has its own NATS user and
signing key, and the NATS cluster configs (TLS, users, encryption at rest) exist
and parse with secrets made as docs/configuration.md says."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer.main
import yaml

from shared import natsserver
from shared.cli import app as cli
from shared.config import SERVICES, Settings
from shared.messaging import deploysecrets
from tests.support import make_certificates

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NATS_NODES = ("nats-1", "nats-2", "nats-3")
SECRET_SETTINGS = ("cipher_key", "receipt_key", "database_password",
                   "checkpoint_key", "adviser_passphrase", "console_signing_key",
                   "console_oidc_client_secret", "nats_seed", "event_signing_key",
                   "keyring_key")


def service(name: str) -> dict[str, Any]:
    return COMPOSE["services"][name]  # type: ignore[no-any-return]


def environment(name: str) -> dict[str, str]:
    env = service(name).get("environment", {})
    assert isinstance(env, dict), f"{name}: environment as a mapping, please"
    return {key: str(value) for key, value in env.items()}


def test_the_platform_is_all_there() -> None:
    assert set(COMPOSE["services"]) == {*NATS_NODES, "nats-setup", "postgres", *SERVICES}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_own_cli_command(name: str) -> None:
    command = service(name)["command"]
    assert command == ["serve", name]
    # The command parses as the installed `meldingen` CLI would parse it.
    group = typer.main.get_command(cli)
    sub = group.commands[command[0]]  # type: ignore[attr-defined]
    with sub.make_context(command[0], list(command[1:])) as context:
        assert context.params == {"service": name}
    # What `serve` then builds: the service's own composition root.
    bootstrap = importlib.import_module(f"services.{context.params['service']}.bootstrap")
    assert callable(bootstrap.create_app)
    # And the image runs `meldingen`: the entry point, with the service as its command.
    dockerfile = (ROOT / service(name)["build"]["dockerfile"]).read_text()
    assert 'ENTRYPOINT ["meldingen"]' in dockerfile
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'meldingen = "shared.cli:main"' in pyproject


@pytest.mark.parametrize("name", SERVICES)
def test_every_variable_is_a_setting_and_together_they_are_valid_for_production(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(name)
    unknown = [key for key in env
               if key.startswith("MELDINGEN_")
               and key.removeprefix("MELDINGEN_").lower() not in Settings.model_fields]
    assert unknown == []
    assert all(key.startswith("MELDINGEN_") for key in env)

    # The container's environment makes valid production settings.
    for key in [k for k in os.environ if k.startswith("MELDINGEN_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.env == "production"
    assert settings.host == "0.0.0.0"
    assert settings.stream_replicas == 3
    assert settings.database_url_of(name).startswith("postgresql+psycopg://")
    assert {urlsplit(url).hostname for url in settings.nats_servers} == set(NATS_NODES)
    assert {urlsplit(url).port for url in settings.nats_servers} == {4222}
    assert {urlsplit(url).scheme for url in settings.nats_servers} == {"tls"}
    assert settings.nats_ca_file is not None


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_its_own_nats_user_and_signing_key(name: str) -> None:
    env = environment(name)
    assert env["MELDINGEN_NATS_SEED_FILE"] == f"/run/secrets/nats_seed_{name}"
    assert env["MELDINGEN_EVENT_SIGNING_KEY_FILE"] == f"/run/secrets/event_signing_key_{name}"
    assert env["MELDINGEN_EVENT_PUBLIC_KEYS_FILE"] == "/run/secrets/event_public_keys"
    others = {f"nats_seed_{o}" for o in (*SERVICES, "admin", "auditor") if o != name} | {
        f"event_signing_key_{o}" for o in SERVICES if o != name}
    assert not others & set(service(name)["secrets"]), "another user's key"


def test_only_the_one_shot_setup_holds_the_nats_admin_seed() -> None:
    setup = service("nats-setup")
    assert setup["command"] == ["nats", "setup"]
    group = typer.main.get_command(cli)
    nats_group = group.commands["nats"]  # type: ignore[attr-defined]
    assert "setup" in nats_group.commands
    assert environment("nats-setup")["MELDINGEN_NATS_SEED_FILE"] == \
        "/run/secrets/nats_seed_admin"
    holders = [n for n, s in COMPOSE["services"].items()
               if "nats_seed_admin" in s.get("secrets", [])]
    assert holders == ["nats-setup"]
    for name in SERVICES:
        assert service(name)["depends_on"]["nats-setup"] == {
            "condition": "service_completed_successfully"}


@pytest.mark.parametrize("name", SERVICES)
def test_secrets_come_from_docker_secrets_never_from_the_file(name: str) -> None:
    env = environment(name)
    for setting in SECRET_SETTINGS:
        assert f"MELDINGEN_{setting.upper()}" not in env, "a secret's value in the compose file"
    declared = set(service(name)["secrets"])
    for key, value in env.items():
        if key.endswith("_FILE"):
            assert value.startswith("/run/secrets/"), key
            assert value.removeprefix("/run/secrets/") in declared, key
    for secret in declared:
        assert set(COMPOSE["secrets"][secret]) == {"file"}
        assert COMPOSE["secrets"][secret]["file"].startswith("./deploy/secrets/")
    # No secret file is in the repository, only the rule that keeps them out.
    ignore = (ROOT / "deploy" / "secrets" / ".gitignore").read_text().split()
    assert ignore[-2:] == ["*", "!.gitignore"]


def test_service_specific_secrets_are_given_where_needed() -> None:
    assert "MELDINGEN_ADVISER_PUBLIC_KEY_FILE" in environment("intake")
    assert "MELDINGEN_CONDUCT_ADVISER_PUBLIC_KEY_FILE" in environment("intake")
    assert environment("intake")["MELDINGEN_KEYRING_KEY_FILE"] == \
        "/run/secrets/keyring_key_intake"
    assert "MELDINGEN_KEYRING_PUBLIC_KEYS_FILE" in environment("intake")
    assert "MELDINGEN_CHECKPOINT_KEY_FILE" in environment("reporting")
    assert "MELDINGEN_CONSOLE_SIGNING_KEY_FILE" in environment("console")
    assert environment("console")["MELDINGEN_CONSOLE_URL"].startswith("https://")
    # PostgreSQL and the services share one password secret.
    postgres = service("postgres")
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == environment("intake")[
        "MELDINGEN_DATABASE_PASSWORD_FILE"]
    assert "postgres_password" in postgres["secrets"]
    assert urlsplit(environment("intake")["MELDINGEN_DATABASE_URL"]).username == \
        postgres["environment"]["POSTGRES_USER"]


@pytest.mark.parametrize("name", SERVICES)
def test_ports_match_the_settings_defaults(name: str) -> None:
    default = Settings.model_fields[f"{name}_port"].default
    assert f"MELDINGEN_{name.upper()}_PORT" not in environment(name)
    published = [str(mapping).split(":") for mapping in service(name)["ports"]]
    assert published == [[str(default), str(default)]]
    health = " ".join(service(name)["healthcheck"]["test"])
    assert f"127.0.0.1:{default}/readyz" in health


@pytest.mark.parametrize("node", NATS_NODES)
def test_nats_nodes_have_their_cluster_config(node: str, tmp_path: Path) -> None:
    mounts = [volume.split(":") for volume in service(node)["volumes"]]
    [config] = [ROOT / host for host, target, *_ in mounts if target == "/etc/nats/nats.conf"]
    assert config.exists(), config
    assert service(node)["command"] == ["-c", "/etc/nats/nats.conf"]
    text = config.read_text()
    assert re.search(rf"^server_name: {node}$", text, re.MULTILINE)
    assert "jetstream {" in text and "store_dir: /data" in text
    assert any(target == "/data" for _, target, *_ in mounts)  # the store outlives the container
    routes = set(re.findall(r"nats-route://([\w-]+):6222", text))
    assert routes == set(NATS_NODES)
    assert "listen: 0.0.0.0:4222" in text
    # TLS to clients and (mutual) between nodes, users, encryption at rest.
    assert text.count("tls {") == 2 and "verify: true" in text
    assert "cipher: chachapoly" in text
    assert "include ../../run/secrets/nats_authorization" in text
    assert "no_auth_user" not in text
    # Every file it names is one of the node's docker secrets.
    named = set(re.findall(r"/run/secrets/([\w-]+)", text))
    assert named == set(service(node)["secrets"])

    # The real nats-server accepts it, with the secrets made as the docs say.
    secrets = tmp_path / "run" / "secrets"
    made = tmp_path / "deploy-secrets"
    deploysecrets.write(made, Settings().stream)
    make_certificates(made, NATS_NODES, ca_name="nats_ca")
    secrets.mkdir(parents=True)
    for name in service(node)["secrets"]:
        source = Path(COMPOSE["secrets"][name]["file"]).name
        shutil.copy(made / source, secrets / name)
    etc = tmp_path / "etc" / "nats"
    etc.mkdir(parents=True)
    # Absolute paths moved under tmp_path; the includes are relative already.
    moved = re.sub(r"(?<!\.)/run/secrets/", f"{secrets}/", text)
    (etc / "nats.conf").write_text(moved.replace("store_dir: /data",
                                                 f"store_dir: {tmp_path}/data"))
    checked = subprocess.run([natsserver.binary(), "-t", "-c", str(etc / "nats.conf")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
