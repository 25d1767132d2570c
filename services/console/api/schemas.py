"""The console's JSON bodies: the staff token it hands the signed-in person."""

from __future__ import annotations

from pydantic import BaseModel


class TokenOut(BaseModel):
    token: str
    token_type: str = "Bearer"
    expires_in: int
