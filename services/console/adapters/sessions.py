"""Server-side sessions: the browser holds only a random id; what it stands for (who,
since when, the form token, a sign-in half done) stays here, in this process.

A session ends after 30 idle minutes, 10 hours after it began, at sign-out, and when
its account is disabled. The console runs as one instance, so a restart signs
everyone out; nothing here is worth keeping longer than that.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.console.domain.staff import StaffMember
from shared.clock import Clock

#: Sessions kept at most; the longest unused go first (anonymous visitors cannot fill
#: the memory).
MAX_SESSIONS = 50_000


@dataclass
class Session:
    id: str
    csrf: str
    started: datetime
    seen: datetime
    lang: str = "nl"
    #: The signed-in person's login name.
    sub: str | None = None
    #: The login name whose password was right, awaiting the code.
    pending_sub: str | None = None
    pending_since: datetime | None = None
    #: What an OIDC sign-in under way must find back (state, nonce, PKCE verifier).
    oidc: dict[str, str] = field(default_factory=dict)
    #: Enrolment under way: the authenticator secret shown on the page.
    totp_secret: str | None = None
    #: The signed-in person's directory record as last read, kept with the session
    #: (so as bounded as the sessions) and checked against the store each request.
    member: StaffMember | None = None


class SessionStore:
    def __init__(self, clock: Clock, *, idle: timedelta, absolute: timedelta) -> None:
        self.clock = clock
        self.idle = idle
        self.absolute = absolute
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(session_id: str) -> str:
        # Kept by hash: a memory dump shows no usable cookie.
        return hashlib.sha256(session_id.encode()).hexdigest()

    def start(self, *, lang: str = "nl") -> Session:
        now = self.clock.now()
        session = Session(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32),
                          started=now, seen=now, lang=lang)
        with self._lock:
            self._sessions[self._key(session.id)] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (and it counts as used now), else None."""
        if not session_id:
            return None
        now = self.clock.now()
        key = self._key(session_id)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if now - session.seen >= self.idle or now - session.started >= self.absolute:
                del self._sessions[key]
                return None
            session.seen = now
            self._sessions.move_to_end(key)
            return session

    def renew(self, old: Session, **changes: object) -> Session:
        """A new id for a session that changes who it is (a sign-in): an id planted
        in the browser beforehand is worth nothing after it."""
        self.end(old)
        new = self.start(lang=old.lang)
        for name, value in changes.items():
            setattr(new, name, value)
        return new

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(self._key(session.id), None)

    def end_all_of(self, sub: str) -> int:
        """End every session of this person (sign-out everywhere, a disabled account)."""
        with self._lock:
            keys = [key for key, s in self._sessions.items()
                    if sub in (s.sub, s.pending_sub)]
            for key in keys:
                del self._sessions[key]
        return len(keys)
