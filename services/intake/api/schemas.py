"""The request and response bodies of intake's API (see ../shared/API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
)

from services.intake.domain.report import MeetingVia, Status
from services.intake.domain.submission import Submission
from shared.auth import Principal
from shared.contracts import (
    Adviser,
    Channel,
    Concerns,
    Kind,
    Language,
    ReceivedHow,
    RecordStatus,
    Theme,
)
from shared.files.schemas import MailboxAttachmentOut

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Short | None = None
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+() .-]*$")] | None = None


class MeldingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    theme: Theme
    description: Text
    # Only JSON's true and false: "yes" or 1 is not a reporter's choice to stay anonymous.
    anonymous: StrictBool
    identity: Identity | None = None
    identity_sealed: Annotated[str, StringConstraints(max_length=4096)] | None = None
    key_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    involved: Annotated[list[Short], Field(max_length=50)] = []
    occurred: date | None = None
    channel: Channel | None = Field(
        default=None, description="`web` for a reporter; staff register under their role's "
        "channel (a confidential adviser names theirs), which may be left out otherwise")
    received_at: AwareDatetime | None = Field(
        default=None, description="staff on a reporter's behalf: when they received the "
        "melding (the terms run from then); by default, now")
    received_how: ReceivedHow | None = Field(
        default=None, description="staff on a reporter's behalf: `written`, `oral` (phone "
        "or voice message) or `in_person`; by default `written`")
    received_reason: Short | None = Field(
        default=None, description="why a melding received more than 3 days ago is "
        "registered only now (required then)")
    concerns: Concerns = Field(
        "unknown", description="the position of the person the melding is about, if the "
                               "reporter knows it; the meldpunt confirms it")

    meeting_requested: StrictBool = Field(
        default=False, description="the reporter asks to meet in person; the request "
        "waits in `GET /api/meeting-requests` until a meeting is recorded")

    language: Language = Field(
        default="nl", description="the reporter's language (`nl` or `en`): the mailbox's "
        "acknowledgement is written in it")

    def on_behalf(self) -> bool:
        """Whether this is a staff member's registration on a reporter's behalf."""
        return self.channel not in (None, "web") or any(
            value is not None
            for value in (self.received_at, self.received_how, self.received_reason))

    def submission(self, registrar: Principal | None = None) -> Submission:
        """The command to file, as the API and the web form both hand it on;
        `registrar` is the staff member who registers it on the reporter's behalf."""
        identity = self.identity.model_dump(exclude_none=True) if self.identity else None
        return Submission(
            kind=self.kind, theme=self.theme, description=self.description,
            anonymous=self.anonymous, channel=self.channel, involved=tuple(self.involved),
            occurred=self.occurred, identity=identity or None,
            identity_sealed=self.identity_sealed, key_id=self.key_id,
            received_by=registrar.sub if registrar else None,
            registered_as=registrar.role if registrar else None, received_at=self.received_at,
            received_how=self.received_how or "written", received_reason=self.received_reason,
            meeting_requested=self.meeting_requested, language=self.language,
            concerns=self.concerns,
        )


class FiledOut(BaseModel):
    id: str
    receipt: str = Field(description="16 digits in groups of four; shown once, never stored")
    acknowledged_at: datetime


class AdviserKeyOut(BaseModel):
    key_id: str
    public_key: str = Field(description="base64 Curve25519 public key: seal identities to it")


class SealedIdentityOut(BaseModel):
    key_id: str = Field(description="the adviser key the identity was sealed to")
    sealed: str = Field(description="base64 sealed box of the identity's JSON")


class MailboxLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receipt: Annotated[str, StringConstraints(max_length=64)]
    challenge: Annotated[str | None, StringConstraints(max_length=200)] = Field(
        default=None, description="from POST /api/mailbox/challenge; with `proof`, the "
        "attempt is not limited per address")
    proof: Annotated[str | None, StringConstraints(max_length=20, pattern=r"^[0-9]+$")] = Field(
        default=None, description="a decimal n such that BLAKE2b-256(challenge:n) starts "
        "with `bits` zero bits")


class ChallengeOut(BaseModel):
    challenge: str
    bits: int = Field(description="zero bits the proof's hash must start with")
    expires_in: int = Field(description="seconds the challenge can be used (once)")


class MailboxTokenOut(BaseModel):
    token: str
    expires_in: int = Field(description="seconds until the token expires")


class MailboxMessage(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: Literal["meldpunt", "reporter", "confidential_adviser"] = Field(alias="from")
    body: str
    at: datetime
    purpose: Literal["acknowledgement", "message", "feedback", "reply"]


class RecordVersion(BaseModel):
    version: int
    text: str
    at: datetime


class MailboxRecord(BaseModel):
    """The latest version of the record of an oral or in-person melding."""

    version: int
    text: str
    at: datetime
    status: RecordStatus = Field(description="`awaiting_reporter`: approve it or send "
                                 "corrections; `corrections_sent`; `approved`")


class MailboxOut(BaseModel):
    id: str
    status: Status
    messages: list[MailboxMessage]
    record: MailboxRecord | None = Field(
        default=None, description="the record of an oral or in-person melding, if any")
    meeting_requested: bool = Field(
        default=False, description="a meeting was asked for and has not taken place yet")
    identity_consent: bool | None = Field(
        default=None, description="a named reporter's answer to whether their identity "
        "may be passed on beyond the meldpunt; null: not answered (which counts as no)")
    attachments: list[MailboxAttachmentOut] = Field(
        default=[], description="the files either way, oldest first")


class IdentityConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given: StrictBool = Field(description="true: the identity may be passed on (for "
                              "example to investigators); false: only the meldpunt sees it")


class RecordAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1)] = Field(description="the version answered")
    approved: StrictBool
    corrections: Text | None = Field(
        default=None, description="what to correct; required when `approved` is false")


class MeetingRequestOut(BaseModel):
    due_by: datetime = Field(description="the end of the term to meet by")


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class RecordWrittenOut(BaseModel):
    version: int


class RecordResponse(BaseModel):
    version: int
    approved: bool
    corrections: str | None = None
    at: datetime


class RecordOut(BaseModel):
    status: RecordStatus | None = Field(description="None until a first version")
    versions: list[RecordVersion]
    responses: list[RecordResponse] = Field(description="the reporter's, per version")


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_at: AwareDatetime


class WaitingMeeting(BaseModel):
    melding_id: str
    via: MeetingVia
    requested_at: datetime
    due_by: datetime
    overdue: bool


class MeetingRequestsOut(BaseModel):
    items: list[WaitingMeeting]


class RegistrationOut(BaseModel):
    melding_id: str
    channel: Channel
    received_how: ReceivedHow
    received_at: datetime
    registered_at: datetime
    reply_unread: bool = Field(False, description="a reporter's reply the confidential "
                               "adviser who registered it has not opened yet")


class RegistrationsOut(BaseModel):
    items: list[RegistrationOut] = Field(description="the caller's own, latest first")
    total: int
    unread: int = Field(0, description="how many of all of them have an unread reply")


class RevealOut(BaseModel):
    melding_id: str
    by: str
    at: datetime


class RevealsOut(BaseModel):
    items: list[RevealOut] = Field(description="every fetch of a sealed identity, "
                                               "latest first")
    total: int


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text


class ReplyOut(BaseModel):
    at: datetime


class AdviserMailboxOut(BaseModel):
    messages: list[MailboxMessage] = Field(description="the adviser's and the reporter's")


class ContactMomentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adviser: Adviser
    theme: Theme
    date: date


class ContactMomentOut(BaseModel):
    id: str
