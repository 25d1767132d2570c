"""The notifier's rules without NATS or SMTP: who is told, when a term is reminded
of (on the organisation's calendar), what a mail may say, and the SMTP settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy

from services.console.notifications.adapters.transports import (
    FileTransport,
    SmtpTransport,
    transport_for,
)
from services.console.notifications.domain.mails import notice_mail, short_reference
from services.console.notifications.domain.notices import FeedbackTerm, Notice
from services.console.notifications.domain.rules import (
    recipients,
    reminders_due,
    sending_turn,
)
from services.console.notifications.views import NoticeBoard, counter, mails
from shared.config import ConfigurationError, Settings
from shared.terms import LOCAL


@dataclass
class Person:
    sub: str
    roles: list[str] = field(default_factory=list)
    disabled: bool = False


STAFF = [Person("mia", ["meldpunt"]), Person("max", ["meldpunt"], disabled=True),
         Person("bert", ["competent_authority"]), Person("ivan", ["investigator"]),
         Person("ada", ["administrator"]), Person("kees", ["meldpunt", "manager"]),
         Person("cora", ["competent_authority", "meldpunt"])]


def subs(people: list[Person]) -> list[str]:
    return [p.sub for p in people]


def test_a_lapsed_response_term_goes_to_the_cases_team_and_its_authority_alone() -> None:
    staff = [*STAFF, Person("ivy", ["investigator"])]
    assert subs(recipients("response_term_lapsed", staff, routed="bert",
                           investigators=["IVAN"])) == ["bert", "ivan"]
    # The meldpunt never hears of it (cora as authority does); an excluded one does not.
    assert subs(recipients("response_term_lapsed", staff, routed="cora",
                           investigators=["ivan"], excluded=["ivan"])) == ["cora"]


def test_only_active_meldpunt_staff_hear_of_a_new_melding_and_routing_comes_in_one_place(
) -> None:
    assert subs(recipients("melding_received", STAFF)) == ["mia", "kees", "cora"]
    assert subs(recipients("reporter_replied", STAFF)) == ["mia", "kees", "cora"]
    assert subs(recipients("feedback_due_soon", STAFF)) == ["mia", "kees", "cora"]
    excluded = recipients("reporter_replied", STAFF, routed="bert", excluded={"kees"})
    assert subs(excluded) == ["mia", "cora"]


def test_a_routed_melding_is_told_to_its_competent_authority_alone() -> None:
    assert subs(recipients("melding_routed", STAFF, routed="bert")) == ["bert"]
    # Holding the role is not being routed to; flagged, nobody is told.
    assert subs(recipients("melding_routed", STAFF, routed="cora")) == ["cora"]
    assert subs(recipients("melding_routed", STAFF)) == []


def test_the_excluded_are_compared_in_the_names_normal_form() -> None:
    # A recusal or a concerned sub spelt another way still keeps the person out.
    assert subs(recipients("melding_received", STAFF, excluded={" MIA\u200b"})) == [
        "kees", "cora"]
    assert subs(recipients("melding_routed", STAFF, routed="BERT",
                           excluded={"bert"})) == []
    assert subs(recipients("melding_routed", STAFF, routed="Bert")) == ["bert"]


def term(feedback_by: datetime) -> FeedbackTerm:
    return FeedbackTerm(melding_id="m", feedback_by=feedback_by)


def test_a_term_is_reminded_a_week_before_its_last_day_and_on_it_once_each() -> None:
    due = datetime(2026, 6, 2, 10, tzinfo=UTC)
    t = term(due)
    assert reminders_due(t, due - timedelta(days=8)) == []
    assert reminders_due(t, due - timedelta(days=7)) == ["feedback_due_soon"]
    t.remind("feedback_due_soon")
    assert reminders_due(t, due - timedelta(days=3)) == []
    assert reminders_due(t, due - timedelta(hours=9)) == ["feedback_due_today"]
    t.remind("feedback_due_today")
    assert reminders_due(t, due + timedelta(days=1)) == []
    ended = term(due)
    ended.end(at=due)
    assert reminders_due(ended, due) == []


def test_a_restarted_term_is_open_again_however_often_the_feed_hands_its_events() -> None:
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    term = FeedbackTerm(melding_id="m", feedback_by=start + timedelta(days=92))
    term.remind("feedback_due_soon")
    term.end(at=start)
    term.restart(feedback_by=start + timedelta(days=150), at=start)
    assert (term.key, term.reminded, term.ended) == ("m/1", [], False)
    events = term.collect_events()
    reminder = Notice(key="feedback_due_soon/m", sub="mia", email="mia@example.org",
                      occasion="feedback_due_soon", melding_id="m",
                      due=date(2026, 6, 2), delivery="immediate", at=start)
    events.insert(2, *reminder.collect_events())
    board = NoticeBoard()
    for event in events + events:  # at a start, the feed may hand an event twice
        board.apply(event)
    [open_term] = board.open_terms().values()
    assert (open_term.feedback_by, open_term.reminded) == (start + timedelta(days=150), [])
    assert board.reminders_for("mia") == []  # not the first round's last day


def test_a_sent_mail_takes_no_place_in_the_order_unless_it_has_no_row() -> None:
    now = datetime(2026, 6, 2, 10, tzinfo=UTC)
    first, second, unseen = (
        Notice(key=f"k/{n}", sub="mia", email="mia@example.org", occasion="melding_received",
               melding_id=n, due=None, delivery="immediate", at=now) for n in "abc")
    board = NoticeBoard()
    for decided in (first, second):
        board.apply_all(decided.collect_events())

    def places() -> dict[str, int]:
        with board._engine.connect() as connection:
            taken = connection.execute(sqlalchemy.select(counter.c.value)).scalar_one()
            rows = connection.execute(sqlalchemy.select(mails.c.mail_id, mails.c.seq))
            return {"counter": taken, **{str(row.mail_id): row.seq for row in rows}}

    before = places()
    first.mark_mailed(at=now)
    board.apply_all(first.collect_events())  # the postman's record, one commit a mail
    assert places() == before and board.next_mails(5) == [second.id]
    unseen.collect_events()
    unseen.mark_mailed(at=now)
    board.apply_all(unseen.collect_events())  # its decision not (yet) in the board
    assert places()[str(unseen.id)] == before["counter"] + 1
    assert board.next_mails(5) == [second.id]


def test_the_day_is_the_organisations() -> None:
    # 23:30 UTC on 1 June is 2 June in Nijmegen: the last day has begun there.
    due = datetime(2026, 6, 2, 12, tzinfo=LOCAL)
    assert reminders_due(term(due), datetime(2026, 6, 1, 22, 30, tzinfo=UTC)) == [
        "feedback_due_today"]


def test_a_mail_holds_a_reference_a_date_and_a_link_only() -> None:
    notice = Notice(key="feedback_due_soon/x", sub="mia", email="mia@example.org",
                    occasion="feedback_due_soon",
                    melding_id="0b5f3a52-6f07-4c53-9a0e-3c1d8e6a7b24",
                    due=date(2026, 6, 2), delivery="immediate", at=datetime.now(UTC))
    mail = notice_mail(notice, "https://console.example.org")
    assert short_reference(notice.melding_id) == "0B5F3A52"
    assert mail.subject == "Meldingen: Terugkoppeling op melding 0B5F3A52 uiterlijk 2026-06-02"
    assert "https://console.example.org/meldingen/0b5f3a52-" in mail.body
    assert mail.message_id == f"<{notice.id}@console.example.org>"
    assert mail.to == "mia@example.org"


def test_a_claimed_mail_is_left_to_its_postman_until_the_claim_lapses() -> None:
    now = datetime(2026, 6, 2, 10, tzinfo=UTC)
    notice = Notice(key="k", sub="mia", email="mia@example.org",
                    occasion="melding_received", melding_id="m", due=None,
                    delivery="immediate", at=now)
    assert sending_turn(notice, "a", now) == "send"
    notice.claim("a", until=now + timedelta(seconds=120))
    assert sending_turn(notice, "a", now) == "send"  # its own, tried again
    assert sending_turn(notice, "b", now + timedelta(seconds=119)) == "held"
    assert sending_turn(notice, "b", now + timedelta(seconds=121)) == "send"  # a lapsed
    notice.mark_mailed(at=now)
    assert sending_turn(notice, "a", now) == sending_turn(notice, "b", now) == "sent"


def test_smtp_settings(tmp_path: Path) -> None:
    smtps = transport_for(Settings(var_dir=tmp_path, smtp_url="smtps://mail.example.org"))
    assert isinstance(smtps, SmtpTransport) and (smtps.tls, smtps.port) == (True, 465)
    plain = transport_for(Settings(var_dir=tmp_path, smtp_url="smtp://mail:2525",
                                   smtp_user="u", smtp_password="p"))
    assert isinstance(plain, SmtpTransport)
    assert (plain.tls, plain.port, plain.user, plain.password) == (False, 2525, "u", "p")
    assert isinstance(transport_for(Settings(var_dir=tmp_path)), FileTransport)
    with pytest.raises(ConfigurationError, match="smtp://host:port"):
        transport_for(Settings(var_dir=tmp_path, smtp_url="http://mail"))


def test_production_needs_an_smtp_server(tmp_path: Path) -> None:
    settings = Settings.model_construct(env="production", var_dir=tmp_path, smtp_url=None)
    with pytest.raises(ConfigurationError, match="MELDINGEN_SMTP_URL"):
        transport_for(settings)
