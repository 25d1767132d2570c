"""Time-based one-time codes (RFC 6238, pyotp) and the QR code that carries the secret
to an authenticator app (segno, as SVG: no script, no third party)."""

from __future__ import annotations

import io
from datetime import datetime

import pyotp
import segno

STEP_SECONDS = 30
#: Codes of the step before and after are accepted too: phones' clocks drift.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code this is (near `at`), or None for a wrong code."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = int(at.timestamp()) // STEP_SECONDS
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def provisioning_uri(secret: str, *, sub: str, issuer: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=sub,
                                                                      issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """An inline-safe SVG (no XML declaration) with a title for screen readers."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False,
                                    svgns=True, title=title, svgclass="qr", lineclass=None)
    return out.getvalue().decode()


def grouped(secret: str) -> str:
    """The secret as text, in groups of four, easier to type over."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
