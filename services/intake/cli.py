"""`meldingen adviser keygen` and `meldingen adviser reveal`: a confidential adviser's
key pair (the integrity adviser, VPI, and the conduct adviser, VPOO, each have their
own), and opening an anonymous reporter's sealed identity on the adviser's machine.

The services only ever see ciphertext: `reveal` fetches the sealed identity over HTTP
(intake records the fetch) and opens it here, with the private key from a key file
that the passphrase unlocks. Both commands ask for the passphrase, or read it from
MELDINGEN_ADVISER_PASSPHRASE (never a command-line argument: it would show in the
process list and the shell's history). In production they read no service's settings
(`AdviserSettings`): the adviser's machine needs its key file, passphrase and token, and
intake's address, nothing else. Registered by the `meldingen` CLI (shared/cli).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any, NoReturn, get_args

import httpx
import typer
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from services.intake.adapters.adviser_keys import SETTING
from shared.auth import issue_token
from shared.config import AdviserSettings, Settings, get_settings
from shared.contracts import Adviser
from shared.crypto import (
    STRENGTHS,
    KeyFileError,
    WrongPassphrase,
    b64,
    development_key_file,
    encrypt_private_key,
    key_id_of,
    open_key_file,
    open_sealed,
    read_key_header,
    unb64,
    write_key_file,
)

ADVISERS: tuple[str, ...] = get_args(Adviser)
MIN_PASSPHRASE = 12
# zxcvbn's top score: about 10^10 guesses or more. The key it protects opens every
# anonymous reporter's identity sealed to it.
MIN_SCORE = 4


def register(app: typer.Typer) -> None:
    adviser = typer.Typer(no_args_is_help=True,
                          help="The confidential adviser's key pair and sealed identities.")
    adviser.command()(keygen)
    adviser.command()(reveal)
    app.add_typer(adviser, name="adviser")


def keygen(
    out: Annotated[Path, typer.Option(help="where to write the encrypted private key")],
    strength: Annotated[str, typer.Option(
        help=f"argon2id cost: {', '.join(STRENGTHS)}")] = "moderate",
    adviser: Annotated[str, typer.Option(
        help="whose key: integrity (VPI) or conduct (VPOO); each has their own")] = "integrity",
) -> None:
    """Make a key pair; the private key is written encrypted under a passphrase. A new
    key for an adviser who has one already is a rotation: see the hint it prints."""
    if strength not in STRENGTHS:
        raise typer.BadParameter(f"one of: {', '.join(STRENGTHS)}", param_hint="--strength")
    if adviser not in ADVISERS:
        raise typer.BadParameter(f"one of: {', '.join(ADVISERS)}", param_hint="--adviser")
    if out.exists():
        _fail(f"{out} exists; a key file is never overwritten")
    passphrase = _passphrase_from_environment() or typer.prompt(
        "Passphrase for the new key", hide_input=True, confirmation_prompt=True)
    _check_strength(passphrase)
    private = PrivateKey.generate()
    try:
        write_key_file(out, encrypt_private_key(private, passphrase, strength))
    except FileExistsError:
        _fail(f"{out} exists; a key file is never overwritten")
    public = bytes(private.public_key)
    typer.echo(f"key_id      {key_id_of(public)}\npublic_key  {b64(public)}")
    variable = f"MELDINGEN_{SETTING[adviser][1].upper()}"
    typer.echo(f"\nThe private key is in {out}, encrypted; keep it and its passphrase safe.\n"
               "Give intake the public key: add it as the last line of the file named by\n"
               f"{variable} (keep the older lines: they identify the\n"
               "meldingen sealed to older keys).", err=True)


def reveal(
    melding_id: Annotated[str, typer.Argument(help="the melding's id")],
    key: Annotated[list[Path] | None, typer.Option(
        help="key file; repeat for older keys or the other adviser's (default in the "
             "embedded run: its development keys, VPI's and VPOO's)")] = None,
    token: Annotated[str | None, typer.Option(
        envvar="MELDINGEN_ADVISER_TOKEN", show_envvar=True,
        help="a confidential_adviser bearer token (the embedded run makes one)")] = None,
    url: Annotated[str | None, typer.Option(
        help="intake's address (or MELDINGEN_INTAKE_URL; default in the embedded run: "
             "its intake)")] = None,
    sub: Annotated[str | None, typer.Option(
        help="who is asking, for a token made here (default: your user name)")] = None,
) -> None:
    """Fetch a melding's sealed identity (the fetch is recorded) and open it here."""
    adviser = AdviserSettings()
    # Only the embedded run has a development key, token and intake to fall back on.
    development = get_settings() if adviser.env == "development" else None
    key_files = key or _development_keys(development)
    base = url or adviser.intake_url or _development_url(development)
    sealed = _fetch(base, melding_id, token or _development_token(development, sub))
    key_file = _key_file_for(sealed["key_id"], key_files)
    passphrase = _passphrase_from_environment(adviser)
    if passphrase is None:
        if development and key_file in _development_keys(development):
            passphrase = development.secret(None, None, "adviser_passphrase", "token")
        else:
            passphrase = typer.prompt(f"Passphrase for {key_file}", hide_input=True)
    try:
        private = open_key_file(key_file, passphrase)
    except WrongPassphrase:
        _fail(f"wrong passphrase: it does not open {key_file}")
    except KeyFileError as exc:
        _fail(str(exc))
    try:
        identity: dict[str, Any] = json.loads(open_sealed(private, unb64(sealed["sealed"])))
    except (CryptoError, ValueError):
        _fail(f"the sealed identity does not open with key {sealed['key_id']}: it was "
              "altered, or sealed to another key than it names")
    for field in ("name", "email", "phone"):
        if identity.get(field):
            typer.echo(f"{field:<6} {identity[field]}")
    if not any(identity.get(field) for field in ("name", "email", "phone")):
        typer.echo("(the reporter left no contact details)")


def _passphrase_from_environment(adviser: AdviserSettings | None = None) -> str | None:
    secret = (adviser or AdviserSettings()).adviser_passphrase
    return secret.get_secret_value() if secret is not None else None


def _check_strength(passphrase: str) -> None:
    """A strength estimate, not only a length: "Welkom01Welkom01" is long and weak."""
    from zxcvbn import zxcvbn  # its dictionaries take a while to load: only here

    if len(passphrase) < MIN_PASSPHRASE:
        _fail(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
    estimate = zxcvbn(passphrase[:100])  # the estimate's cost grows with the length
    if estimate["score"] < MIN_SCORE:
        advice = estimate["feedback"].get("warning") or "it is too easy to guess"
        hints = " ".join(estimate["feedback"].get("suggestions") or [])
        _fail(f"the passphrase is too weak: {advice}. {hints} A sentence of five or more "
              "unusual words is strong and easy to remember.".replace("  ", " "))


def _development_keys(development: Settings | None) -> list[Path]:
    """The embedded run's key files, one per adviser: the sealed identity's key_id
    picks the one that opens it."""
    paths = [] if development is None else [
        development_key_file(development.var_dir, adviser) for adviser in ADVISERS]
    found = [path for path in paths if path.exists()]
    if not found:
        _fail("no key file: pass --key FILE (the embedded run's development keys exist "
              "only after intake started there)")
    return found


def _development_token(development: Settings | None, sub: str | None) -> str:
    if development is None:
        _fail("pass a confidential_adviser token with --token or MELDINGEN_ADVISER_TOKEN")
    return issue_token(development, sub=sub or getpass.getuser(), role="confidential_adviser",
                       ttl=300)


def _development_url(development: Settings | None) -> str:
    if development is None:
        _fail("pass intake's address with --url or MELDINGEN_INTAKE_URL")
    return f"http://{development.host}:{development.intake_port}"


def _fetch(base: str, melding_id: str, token: str) -> dict[str, str]:
    try:
        response = httpx.get(f"{base}/api/meldingen/{melding_id}/sealed-identity",
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
    except httpx.HTTPError as exc:
        _fail(f"intake at {base} cannot be reached ({type(exc).__name__})")
    if response.status_code == 404:
        _fail(f"melding {melding_id} does not exist or has no sealed identity")
    if response.status_code in (401, 403):
        _fail(f"intake refused the token ({response.status_code}): it must be a valid "
              "confidential_adviser token")
    if response.status_code != 200:
        _fail(f"intake answered {response.status_code}")
    return response.json()  # type: ignore[no-any-return]


def _key_file_for(key_id: str, key_files: list[Path]) -> Path:
    """The key file that holds `key_id`, read from the files' clear headers."""
    held = []
    for path in key_files:
        try:
            header = read_key_header(path)
        except KeyFileError as exc:
            _fail(str(exc))
        if header.get("key_id") == key_id:
            return path
        held.append(str(header.get("key_id")))
    _fail(f"the identity was sealed to key {key_id}; the key files given hold "
          f"{', '.join(held)}")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
