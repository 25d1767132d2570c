"""What the reporter's pages say, in plain Dutch (the default) and English.

The kinds and themes follow the Nijmegen code of conduct (chapter 3, "Onze regels") and
the Whistleblowers Protection Act; the steps follow "Een melding, en dan?".
"""

from __future__ import annotations

from typing import Any

from services.intake.web.mailbox_texts import MAILBOX_EN, MAILBOX_NL

LANGUAGES = ("nl", "en")

NL: dict[str, Any] = {
    "site": "Integriteit melden",
    "skip": "Naar de inhoud",
    "other_language": ("en", "English"),
    "form_title": "Een vermoeden melden",
    "mailbox_link_intro": "Heeft u al gemeld?",
    "mailbox_link": "Open uw berichtenbox met uw code",
    "intro": (
        "Ziet u iets wat niet klopt binnen onze organisatie? Hier kunt u het melden. "
        "Dat kan met uw naam of anoniem. U krijgt een code waarmee u later berichten "
        "leest en beantwoordt."
    ),
    "next_title": "Wat gebeurt er na uw melding?",
    "next_steps": [
        "U krijgt meteen een code en een ontvangstbevestiging in uw berichtenbox. "
        "De wet zegt: uiterlijk binnen 7 dagen.",
        "Het intern meldpunt beoordeelt uw melding: zijn er redelijke gronden voor het "
        "vermoeden, en hoe ernstig is het? Het meldpunt geeft daarover advies.",
        "Het bevoegd gezag besluit wat er gebeurt: niets, een gesprek met de betrokkene, "
        "een onderzoek, aangifte bij de politie of doorverwijzen.",
        "Na een gesprek of onderzoek kunnen er maatregelen volgen, voor personen of voor "
        "de manier van werken.",
        "Binnen 3 maanden na de ontvangstbevestiging hoort u in uw berichtenbox wat er met "
        "uw melding gebeurt.",
    ],
    "readers_title": "Wie leest uw melding?",
    "readers": [
        "Het intern meldpunt leest uw melding. Het bevoegd gezag en, bij een onderzoek, de "
        "onderzoekers zien de inhoud ook. Zij gaan er vertrouwelijk mee om.",
        "Meldt u met uw naam? Dan ziet het meldpunt uw naam en contactgegevens. Zij maken "
        "die niet bekend zonder uw toestemming.",
        "Meldt u anoniem? Dan worden uw contactgegevens, als u die geeft, versleuteld. "
        "Alleen de vertrouwenspersoon integriteit kan ze lezen. Het meldpunt, beheerders "
        "en onze computersystemen kunnen dat niet.",
    ],
    "external_title": "Liever buiten de organisatie melden?",
    "external": (
        "Dat mag. Een vermoeden van een misstand of een inbreuk op het Unierecht kunt u "
        "melden bij het Huis voor Klokkenluiders. Een klacht over ongewenst gedrag kunt u "
        "indienen bij de Landelijke Klachtencommissie Ongewenst Gedrag voor Decentrale "
        "Overheden (LKOG). Eerst intern melden heeft de voorkeur: dan kan er het snelst "
        "iets gebeuren."
    ),
    "required": "verplicht",
    "optional": "niet verplicht",
    "errors_title": "Controleer deze velden:",
    "kind_legend": "Wat wilt u melden?",
    "kinds": {
        "integrity_violation": ("Een vermoeden van een integriteitsschending",
                                "Iemand houdt zich mogelijk niet aan de gedragscode."),
        "wrongdoing": ("Een vermoeden van een misstand",
                       "Er staat een maatschappelijk belang op het spel, zoals gevaar voor "
                       "de gezondheid, de veiligheid of het milieu, of het overtreden van "
                       "de wet."),
        "eu_law_breach": ("Een inbreuk op het Unierecht",
                          "Een overtreding van Europese regels, bijvoorbeeld over "
                          "aanbestedingen, privacy of het milieu."),
        "undesirable_behaviour": ("Ongewenst gedrag",
                                  "Discriminatie, (seksuele) intimidatie, agressie, geweld "
                                  "of pesten."),
    },
    "theme_legend": "Over welk onderwerp gaat het?",
    "themes": {
        "interests": ("Omgang met belangen",
                      "Belangenverstrengeling: de functie gebruiken voor een eigen belang, "
                      "nevenwerk of financiële belangen."),
        "conduct": ("Omgang met elkaar",
                    "Ongewenst gedrag tegenover collega's of anderen."),
        "gifts": ("Uitnodigingen en geschenken",
                  "Geschenken of uitnodigingen aannemen, zeker boven de 50 euro, die de "
                  "schijn van omkoping wekken."),
        "resources": ("Middelen van de gemeente",
                      "Spullen, faciliteiten of geld van de organisatie verkeerd gebruiken."),
        "information": ("Kennis, informatie en data",
                        "Vertrouwelijke informatie lekken of slordig omgaan met "
                        "persoonsgegevens."),
        "private_conduct": ("Gedrag in de privésfeer",
                            "Gedrag buiten het werk, ook online, dat afstraalt op het werk."),
        "subversion": ("Ondermijning",
                       "De onderwereld die de bovenwereld binnendringt, zoals beïnvloeding "
                       "of bedreiging van medewerkers."),
        "other": ("Iets anders", "Het past niet bij een van de onderwerpen hierboven."),
    },
    "description_label": "Wat is er gebeurd?",
    "description_hint": "Beschrijf wat u zag of hoorde, waar het was en wie het weten.",
    "occurred_label": "Wanneer gebeurde het?",
    "occurred_hint": "Dag-maand-jaar, bijvoorbeeld 15-03-2024, of ongeveer. Weet u het "
                     "niet, laat het dan leeg.",
    "involved_label": "Wie zijn erbij betrokken?",
    "involved_hint": "Personen of afdelingen, één per regel.",
    "concerns_legend": "Wie is de betrokkene in de organisatie?",
    "concerns_hint": "Zo komt uw melding bij wie erover mag beslissen. Het meldpunt kijkt het na.",
    "concerns": {"unknown": "Weet ik niet", "employee": "Een medewerker", "manager":
                 "Een leidinggevende", "director": "Een directeur", "secretary":
                 "De gemeentesecretaris", "board_member": "Een lid van het college",
                 "mayor": "De burgemeester", "council_member": "Een raadslid",
                 "confidential_adviser": "Een vertrouwenspersoon", "meldpunt":
                 "Iemand van het meldpunt"},
    "anonymous_legend": "Wilt u anoniem melden?",
    "anonymous_no": "Nee, ik meld met mijn naam",
    "anonymous_yes": "Ja, ik meld anoniem",
    "contact_legend": "Uw contactgegevens",
    "contact_hint": (
        "Bij anoniem melden zijn deze gegevens niet verplicht. Geeft u ze toch, dan kan "
        "alleen de vertrouwenspersoon integriteit ze lezen."
    ),
    "name_label": "Naam",
    "email_label": "E-mailadres",
    "phone_label": "Telefoonnummer",
    "sealing_server": (
        "JavaScript staat uit. Als u anoniem meldt, versleutelt de server uw "
        "contactgegevens direct bij ontvangst."
    ),
    "sealing_browser": (
        "Als u anoniem meldt, versleutelt uw browser uw contactgegevens voordat ze worden "
        "verstuurd. Onze server ziet ze niet."
    ),
    "sealed_kept": (
        "Uw contactgegevens zijn al versleuteld en blijven bewaard. Vult u ze opnieuw in, "
        "dan vervangen ze de versleutelde gegevens."
    ),
    "attachments_label": "Bestanden (niet verplicht)",
    "attachments_hint": "Foto's, PDF, Word/Excel/PowerPoint, OpenDocument, tekst of geluid; "
                        "ten hoogste 20 MB per bestand. Gegevens in het bestand, zoals de "
                        "plaats van een foto of de auteur van een document, halen wij eraf.",
    "attachments_cleaned": "Van deze bestanden zijn de verborgen gegevens verwijderd:",
    "attachments_not_cleaned": "Deze bestanden konden wij niet opschonen; ze zijn "
                               "bewaard zoals u ze stuurde:",
    "meeting_label": "Ik wil mijn melding graag in een gesprek toelichten",
    "meeting_hint": "Het meldpunt neemt dan contact met u op via uw berichtenbox.",
    "submit": "Melding versturen",
    "error": {
        "form": "Het formulier is verlopen of al verstuurd. Controleer alles en verstuur "
                "het opnieuw.",
        "kind": "Kies wat u wilt melden.",
        "theme": "Kies een onderwerp.",
        "description": "Beschrijf wat er is gebeurd (hoogstens 20.000 tekens).",
        "occurred": "Vul een datum in als dag-maand-jaar (15-03-2024) die niet in de "
                    "toekomst ligt, of laat het leeg.",
        "involved": "Noem hoogstens 50 personen of afdelingen, elk in hoogstens 200 tekens.",
        "concerns": "Kies wie de betrokkene is, of 'Weet ik niet'.",
        "anonymous": "Kies of u anoniem meldt of met uw naam.",
        "name": "Vul uw naam in (hoogstens 200 tekens), of kies voor anoniem melden.",
        "email": "Vul een geldig e-mailadres in, of laat dit veld leeg.",
        "attachments_too_large": "Een bestand is groter dan toegestaan per bestand. Kies "
                                 "het opnieuw kleiner, of laat het weg.",
        "attachments_total": "De bestanden samen zijn groter dan toegestaan per melding.",
        "attachments_count": "U stuurt meer bestanden dan toegestaan per melding.",
        "attachments_type": "Een bestand is van een soort die wij niet aannemen.",
        "attachments_empty": "Een bestand is leeg.",
        "attachments_unreadable": "Een bestand is beschadigd of niet wat het lijkt.",
        "phone": "Gebruik alleen cijfers, spaties en + - ( ), of laat dit veld leeg.",
        "identity_sealed": "Het versleutelen is mislukt. Vul uw contactgegevens opnieuw in.",
        "unavailable": "Het lukt nu niet om uw melding op te slaan. Er is niets bewaard. "
                       "Probeer het over een paar minuten opnieuw.",
    },
    "receipt_title": "Uw melding is ontvangen",
    "receipt_intro": "Dank u wel. Dit is uw code:",
    "receipt_label": "Uw code",
    "receipt_write_down": (
        "Schrijf deze code nu op en bewaar hem goed. U ziet hem maar één keer: wij "
        "bewaren hem niet en kunnen hem niet opnieuw laten zien. Met deze code opent u uw "
        "berichtenbox. Wie de code heeft, kan uw berichten lezen."
    ),
    "receipt_mailbox": "Naar uw berichtenbox",
    "receipt_mailbox_hint": "Daar staat de ontvangstbevestiging al klaar.",
    "sealed_browser": (
        "Uw contactgegevens zijn in uw eigen browser versleuteld, voordat ze werden "
        "verstuurd. Alleen de vertrouwenspersoon integriteit kan ze lezen."
    ),
    "sealed_server": (
        "Uw contactgegevens zijn direct bij ontvangst op de server versleuteld (JavaScript "
        "stond uit). Alleen de vertrouwenspersoon integriteit kan ze lezen."
    ),
    "sealed_none": "U heeft anoniem gemeld zonder contactgegevens.",
    "named": "U heeft met uw naam gemeld. Het meldpunt kan uw naam en contactgegevens lezen.",
    **MAILBOX_NL,
}

EN: dict[str, Any] = {
    "site": "Report an integrity concern",
    "skip": "Skip to content",
    "other_language": ("nl", "Nederlands"),
    "form_title": "Report a concern",
    "mailbox_link_intro": "Already made a report?",
    "mailbox_link": "Open your mailbox with your code",
    "intro": (
        "Have you seen something wrong in our organisation? You can report it here, with "
        "your name or anonymously. You will get a code to read and answer messages later."
    ),
    "next_title": "What happens after you report?",
    "next_steps": [
        "You get a code and an acknowledgement of receipt in your mailbox straight away. "
        "The law says: within 7 days at the latest.",
        "The internal reporting office (meldpunt) assesses your report: are there "
        "reasonable grounds for the suspicion, and how serious is it? It gives advice.",
        "The competent authority decides what happens: nothing, a conversation with the "
        "person concerned, an investigation, a police report, or a referral.",
        "After a conversation or investigation, measures may follow, for people or for "
        "the way of working.",
        "Within 3 months of the acknowledgement you hear in your mailbox what is being "
        "done with your report.",
    ],
    "readers_title": "Who reads your report?",
    "readers": [
        "The internal reporting office reads your report. The competent authority and, in "
        "an investigation, the investigators see its content too. They keep it "
        "confidential.",
        "Reporting with your name? Then the reporting office sees your name and contact "
        "details. They do not disclose them without your consent.",
        "Reporting anonymously? Then your contact details, if you give any, are "
        "encrypted. Only the confidential adviser for integrity can read them. The "
        "reporting office, administrators and our computer systems cannot.",
    ],
    "external_title": "Would you rather report outside the organisation?",
    "external": (
        "You may. Suspected wrongdoing or a breach of EU law can be reported to the Dutch "
        "Whistleblowers Authority (Huis voor Klokkenluiders). A complaint about "
        "undesirable behaviour can go to the national complaints committee for local "
        "government (LKOG). Reporting internally first is preferred: then action can be "
        "taken fastest."
    ),
    "required": "required",
    "optional": "optional",
    "errors_title": "Please check these fields:",
    "kind_legend": "What do you want to report?",
    "kinds": {
        "integrity_violation": ("A suspected integrity violation",
                                "Someone may not be following the code of conduct."),
        "wrongdoing": ("Suspected wrongdoing",
                       "A public interest is at stake, such as a danger to health, safety "
                       "or the environment, or a breach of the law."),
        "eu_law_breach": ("A breach of EU law",
                          "A breach of European rules, for example on procurement, privacy "
                          "or the environment."),
        "undesirable_behaviour": ("Undesirable behaviour",
                                  "Discrimination, (sexual) harassment, aggression, violence "
                                  "or bullying."),
    },
    "theme_legend": "What is it about?",
    "themes": {
        "interests": ("Interests",
                      "Conflicts of interest: using one's position for personal gain, side "
                      "jobs or financial interests."),
        "conduct": ("How we treat each other",
                    "Undesirable behaviour towards colleagues or others."),
        "gifts": ("Invitations and gifts",
                  "Accepting gifts or invitations, certainly over 50 euros, that suggest "
                  "bribery."),
        "resources": ("The organisation's resources",
                      "Misusing the organisation's equipment, facilities or money."),
        "information": ("Knowledge, information and data",
                        "Leaking confidential information or careless handling of personal "
                        "data."),
        "private_conduct": ("Private conduct",
                            "Behaviour outside work, online too, that reflects on the work."),
        "subversion": ("Subversion",
                       "Organised crime infiltrating legitimate society, such as pressure "
                       "on or threats to staff."),
        "other": ("Something else", "It does not fit any of the topics above."),
    },
    "description_label": "What happened?",
    "description_hint": "Describe what you saw or heard, where it was and who knows about it.",
    "occurred_label": "When did it happen?",
    "occurred_hint": "The date, or roughly. If you do not know, leave it empty.",
    "involved_label": "Who is involved?",
    "involved_hint": "People or departments, one per line.",
    "concerns_legend": "Who is the person concerned in the organisation?",
    "concerns_hint": "So that your report reaches who may decide on it. The office checks it.",
    "concerns": {"unknown": "I do not know", "employee": "An employee", "manager":
                 "A manager", "director": "A director", "secretary":
                 "The municipal secretary", "board_member": "A member of the executive",
                 "mayor": "The mayor", "council_member": "A council member",
                 "confidential_adviser": "A confidential adviser", "meldpunt":
                 "Someone at the reporting office"},
    "anonymous_legend": "Do you want to report anonymously?",
    "anonymous_no": "No, I report with my name",
    "anonymous_yes": "Yes, I report anonymously",
    "contact_legend": "Your contact details",
    "contact_hint": (
        "When you report anonymously these details are optional. If you give them, only "
        "the confidential adviser for integrity can read them."
    ),
    "name_label": "Name",
    "email_label": "Email address",
    "phone_label": "Phone number",
    "sealing_server": (
        "JavaScript is off. If you report anonymously, the server encrypts your contact "
        "details as soon as it receives them."
    ),
    "sealing_browser": (
        "If you report anonymously, your browser encrypts your contact details before "
        "sending them. Our server does not see them."
    ),
    "sealed_kept": (
        "Your contact details are already encrypted and kept. If you fill them in again, "
        "they replace the encrypted ones."
    ),
    "attachments_label": "Files (optional)",
    "attachments_hint": "Photos, PDF, Word/Excel/PowerPoint, OpenDocument, text or audio; "
                        "at most 20 MB per file. Data inside a file, such as where a photo "
                        "was taken or who wrote a document, is removed.",
    "attachments_cleaned": "Hidden data was removed from these files:",
    "attachments_not_cleaned": "These files could not be cleaned; they were kept as you "
                               "sent them:",
    "meeting_label": "I would like to explain my report in a meeting",
    "meeting_hint": "The reporting office will then contact you through your mailbox.",
    "submit": "Send report",
    "error": {
        "form": "The form has expired or was already sent. Please check everything and "
                "send it again.",
        "kind": "Choose what you want to report.",
        "theme": "Choose a topic.",
        "description": "Describe what happened (at most 20,000 characters).",
        "occurred": "Enter a date that is not in the future, or leave it empty.",
        "involved": "Name at most 50 people or departments, each in at most 200 characters.",
        "concerns": "Choose who the person concerned is, or 'I do not know'.",
        "anonymous": "Choose whether you report anonymously or with your name.",
        "name": "Enter your name (at most 200 characters), or choose to report anonymously.",
        "email": "Enter a valid email address, or leave this field empty.",
        "attachments_too_large": "A file is larger than allowed per file. Choose a "
                                 "smaller one, or leave it out.",
        "attachments_total": "The files together are larger than allowed per report.",
        "attachments_count": "You are sending more files than allowed per report.",
        "attachments_type": "A file is of a kind we do not accept.",
        "attachments_empty": "A file is empty.",
        "attachments_unreadable": "A file is damaged or not what it seems.",
        "phone": "Use only digits, spaces and + - ( ), or leave this field empty.",
        "identity_sealed": "Encryption failed. Please fill in your contact details again.",
        "unavailable": "We cannot store your report right now. Nothing was kept. Please "
                       "try again in a few minutes.",
    },
    "receipt_title": "Your report has been received",
    "receipt_intro": "Thank you. This is your code:",
    "receipt_label": "Your code",
    "receipt_write_down": (
        "Write this code down now and keep it safe. You see it only once: we do not keep "
        "it and cannot show it again. The code opens your mailbox. Anyone who has the code "
        "can read your messages."
    ),
    "receipt_mailbox": "Go to your mailbox",
    "receipt_mailbox_hint": "The acknowledgement of receipt is already waiting there.",
    "sealed_browser": (
        "Your contact details were encrypted in your own browser before they were sent. "
        "Only the confidential adviser for integrity can read them."
    ),
    "sealed_server": (
        "Your contact details were encrypted on the server as soon as they arrived "
        "(JavaScript was off). Only the confidential adviser for integrity can read them."
    ),
    "sealed_none": "You reported anonymously without contact details.",
    "named": "You reported with your name. The reporting office can read your name and "
             "contact details.",
    **MAILBOX_EN,
}

TEXTS = {"nl": NL, "en": EN}


def language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else "nl"
