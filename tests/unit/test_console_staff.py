"""The staff member's rules, in memory: roles and login names, the one-time enrolment
link, codes used once, the lock after failed sign-ins, the signing key's loading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from pydantic import SecretStr

from services.console.adapters import totp
from services.console.adapters.links import new_link, parse
from services.console.adapters.passwords import Passwords
from services.console.adapters.signing import load_signing_key, public_jwk
from services.console.domain.staff import (
    LOCK_AFTER_FAILURES,
    EnrolmentLinkInvalid,
    StaffMember,
    check_roles,
    check_sub,
)
from shared.config import ConfigurationError, Settings
from shared.errors import InvalidInput

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def member(digest: str = "d" * 64) -> StaffMember:
    return StaffMember(sub="mia", name="Mia", email="mia@example.org", roles=["meldpunt"],
                       function=None, reports_to=None, enrolment_digest=digest,
                       enrolment_expires=NOW + timedelta(hours=72), by="test", at=NOW)


def test_roles_must_be_known_and_at_least_one() -> None:
    assert check_roles(["meldpunt", "administrator", "meldpunt"]) == ["meldpunt",
                                                                      "administrator"]
    for roles in ([], ["boss"]):
        with pytest.raises(InvalidInput) as refused:
            check_roles(roles)
        assert refused.value.extra["errors"] == [{"field": "roles",
                                                  "message": refused.value.detail}]


def test_a_login_name_is_short_and_plain() -> None:
    assert check_sub(" mia.de-vries@org ") == "mia.de-vries@org"
    for bad in ("", "a b", "x" * 65, "<script>"):
        with pytest.raises(InvalidInput):
            check_sub(bad)


def test_the_same_login_name_is_the_same_member_whatever_its_case() -> None:
    assert StaffMember.create_id("Mia") == StaffMember.create_id("mia")


def test_an_enrolment_link_works_until_used_or_expired() -> None:
    link = new_link(StaffMember.create_id("mia"))
    assert parse(link.token) == link and parse("nonsense") is None
    m = member(link.digest)
    m.check_enrolment_link(link.digest, NOW + timedelta(hours=71))
    with pytest.raises(EnrolmentLinkInvalid) as expired:
        m.check_enrolment_link(link.digest, NOW + timedelta(hours=72))
    assert expired.value.state == "expired"
    with pytest.raises(EnrolmentLinkInvalid) as unknown:
        m.check_enrolment_link("0" * 64, NOW)
    assert unknown.value.state == "unknown"
    m.enrol("hash", "SECRET", 100, at=NOW)
    with pytest.raises(EnrolmentLinkInvalid) as used:
        m.check_enrolment_link(link.digest, NOW)
    assert used.value.state == "used"


def test_a_code_counts_once_and_only_near_its_time() -> None:
    secret = totp.new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    step = totp.matching_step(secret, code, NOW)
    assert step == int(NOW.timestamp()) // 30
    assert totp.matching_step(secret, code, NOW + timedelta(seconds=30)) == step  # drift
    assert totp.matching_step(secret, code, NOW + timedelta(minutes=2)) is None
    assert totp.matching_step(secret, "12345", NOW) is None
    m = member()
    m.enrol("hash", secret, step - 1, at=NOW)
    assert m.code_step_is_new(step)
    m.signed_in(step, "password", at=NOW)
    assert not m.code_step_is_new(step)


def test_failures_in_a_row_lock_for_a_while_and_a_sign_in_resets_them() -> None:
    m = member()
    m.enrol("hash", "SECRET", 0, at=NOW)
    m.sign_in_failed("password", at=NOW)
    m.signed_in(1, "password", at=NOW)
    assert m.failures == 0
    for _ in range(LOCK_AFTER_FAILURES):
        assert m.may_sign_in(NOW)
        m.sign_in_failed("code", at=NOW)
    assert not m.may_sign_in(NOW + timedelta(minutes=14))
    assert m.may_sign_in(NOW + timedelta(minutes=15))


def test_a_disabled_account_cannot_sign_in_or_enrol() -> None:
    link = new_link(StaffMember.create_id("mia"))
    m = member(link.digest)
    m.disable(by="beheer", at=NOW)
    assert not m.may_sign_in(NOW)
    with pytest.raises(EnrolmentLinkInvalid) as refused:
        m.check_enrolment_link(link.digest, NOW)
    assert refused.value.state == "disabled"
    assert m.history[-1] == {"change": "disabled", "by": "beheer", "at": NOW}


def test_passwords_short_or_weak_are_named_and_good_ones_verify() -> None:
    passwords = Passwords()
    assert passwords.problem("kort", hints=[]) == "short"
    assert passwords.problem("password1234", hints=[]) == "weak"
    assert passwords.problem("mia@example.org!", hints=["mia@example.org"]) == "weak"
    good = "paard batterij nietje correct"
    assert passwords.problem(good, hints=[]) is None
    stored = passwords.hash(good)
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, good) and not passwords.verify(stored, good + "x")
    assert not passwords.verify(None, good)  # an unknown login: never true


def test_the_signing_key_is_generated_in_development_and_required_in_production(
    tmp_path: Path,
) -> None:
    key = load_signing_key(Settings(var_dir=tmp_path))
    again = load_signing_key(Settings(var_dir=tmp_path))
    assert public_jwk(key) == public_jwk(again)
    assert (tmp_path / "secrets" / "token-console").stat().st_mode & 0o077 == 0
    with pytest.raises(ConfigurationError, match="CONSOLE_SIGNING_KEY"):
        load_signing_key(Settings(var_dir=tmp_path / "p", env="production",
                                  jwks_url="http://idp.test/jwks", cipher_key=SecretStr("x"),
                                  receipt_key=SecretStr("x")))
