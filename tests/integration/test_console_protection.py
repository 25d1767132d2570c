"""Protection against disadvantage on the console's melding page, over HTTP (ASGI)
against the real services: the meldpunt marks a witness to protect and records their
complaint of reprisal, the competent authority handles it, and after the closing the
meldpunt's check-in, reminded of on the home page until it is recorded. A form without
its required field is refused on the same page, naming the field, and changes nothing."""

from __future__ import annotations

from tests.consoleflows import post
from tests.integration.test_console_cases import Procedure, procedure, settings, signed_in
from tests.support import MELDING, eventually

__all__ = ["procedure", "settings"]  # the fixtures, shared with test_console_cases


async def test_protection_forms_on_the_melding_page(procedure: Procedure) -> None:
    p = procedure
    melding_id = (await p.intake.client.post("/api/meldingen", json=MELDING)).json()["id"]
    melding = f"/meldingen/{melding_id}"
    bert = p.console.client  # the meldpunt, and the default competent authority
    await signed_in(p, bert, "bert", "meldpunt", "competent_authority")

    async def arrived() -> bool:
        return 'id="protected-person-form"' in (await bert.get(melding)).text

    await eventually(arrived)

    # A person to protect: the name is required, and named when missing.
    page = (await bert.get(melding)).text
    assert "Nog niemand aangemerkt." in page and 'id="complaint-form"' not in page
    bare = await post(bert, f"{melding}/protection/persons", page, protected_role="witness")
    assert bare.status_code == 422 and 'id="protected_name-error"' in bare.text
    assert "Nog niemand aangemerkt." in bare.text
    marked = await post(bert, f"{melding}/protection/persons", page,
                        protected_name="Gerrit Getuige", protected_role="witness")
    assert marked.status_code == 303, marked.text
    page = (await bert.get(marked.headers["location"])).text
    assert "Gerrit Getuige (getuige)" in page and 'id="protection-notice"' in page

    # The complaint names one of the persons to protect.
    nobody = await post(bert, f"{melding}/protection/complaints", page,
                        complaint_description="Overgeplaatst.",
                        complaint_received_on=p.clock.now().date().isoformat())
    assert nobody.status_code == 422 and 'id="person_id-error"' in nobody.text
    recorded = await post(bert, f"{melding}/protection/complaints", page, person_id="1",
                          complaint_description="Overgeplaatst na het interview.",
                          complaint_received_on=p.clock.now().date().isoformat())
    assert recorded.status_code == 303, recorded.text
    page = (await bert.get(melding)).text
    assert "Klacht 1 van Gerrit Getuige" in page and "Nog niet afgehandeld" in page
    # Not the competent authority's to handle before the melding is routed to them.
    assert 'id="handling-form"' not in page

    await post(bert, f"{melding}/assessment", page, admissible="true",
               reasonable_grounds="false", code_violation="false", severity="low",
               theme="gifts", advice="no_action", motivation="Geen grond.")
    page = (await bert.get(melding)).text
    assert 'id="handling-form"' in page
    unmotivated = await post(bert, f"{melding}/protection/handling", page, complaint_id="1",
                             handling_outcome="measures_taken")
    assert unmotivated.status_code == 422
    assert 'id="handling_motivation-error"' in unmotivated.text
    handled = await post(bert, f"{melding}/protection/handling", page, complaint_id="1",
                         handling_outcome="measures_taken",
                         handling_motivation="Overplaatsing teruggedraaid.")
    assert handled.status_code == 303, handled.text
    page = (await bert.get(melding)).text
    assert "Afgehandeld: Maatregelen genomen, door bert" in page
    assert 'id="handling-form"' not in page and 'id="check-in-form"' not in page

    # Closed: no more persons to mark; the check-in waits, on the home page too.
    await post(bert, f"{melding}/decision", page, outcome="no_action",
               motivation="Geen grond.")
    page = (await bert.get(melding)).text
    assert 'id="protected-person-form"' not in page and 'id="check-in-form"' in page
    assert 'id="check-in-due"' in page
    home = (await bert.get("/")).text
    assert f'href="/meldingen/{melding_id}#protection"' in home and "Controle op benadeling" in home
    unnoted = await post(bert, f"{melding}/protection/check-ins", page, disadvantage="false")
    assert unnoted.status_code == 422 and 'id="check_in_notes-error"' in unnoted.text
    checked = await post(bert, f"{melding}/protection/check-ins", page, disadvantage="false",
                         check_in_notes="Gesproken; geen nadeel.")
    assert checked.status_code == 303, checked.text
    page = (await bert.get(melding)).text
    assert "Geen benadeling. Gesproken; geen nadeel." in page
    assert 'id="check-in-due"' not in page
    assert "Controle op benadeling" not in (await bert.get("/")).text
