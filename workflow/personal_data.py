"""The personal data guard: open data holds no personal data, so a proposal that seems to carry
someone's own contact details is flagged before it can be approved.

The checks are deliberately plain and explainable (an assurer reads why): personal email
domains, UK mobile numbers on a contact who is a person, and a person's name as a contact name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PERSONAL_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "outlook.com",
        "live.com",
        "live.co.uk",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "aol.co.uk",
        "btinternet.com",
        "sky.com",
        "talktalk.net",
        "virginmedia.com",
        "ntlworld.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.co.uk",
        "mail.com",
    }
)
# 07xxx xxxxxx, +44 7xxx xxxxxx, 0044 7...: UK mobiles (070 personal numbers and 076 pagers
# are not mobiles, but are just as personal).
_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
# Words that make a contact name a role or a team, not a person.
_ROLE_WORDS = frozenset(
    """team desk office reception helpline line service services enquiries enquiry admin
    administrator manager coordinator co-ordinator officer worker advisor adviser duty centre
    center hub support group club project unit department switchboard bookings booking
    volunteer volunteers staff leader lead nurse clinic surgery the and of for""".split()  # noqa: SIM905
)
_NAME_WORD = re.compile(r"^[A-Z][a-z'\u2019-]+$")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx", "prof"})


@dataclass(frozen=True)
class Flag:
    path: str  # where in the proposal, e.g. "contacts/0/phones/1/number"
    value: str
    reason: str


def is_personal_email(address: str) -> bool:
    return address.rpartition("@")[2].strip().lower() in PERSONAL_EMAIL_DOMAINS


def is_mobile_number(number: str) -> bool:
    return bool(_MOBILE.match(re.sub(r"[\s().-]", "", number or "")))


def looks_like_a_person(name: str) -> bool:
    """ "Jane Smith", "Mrs J. Smith": yes; "Advice team", "Reception": no."""
    words = [w.strip(".,") for w in (name or "").split()]
    if not 2 <= len(words) <= 4:
        return False
    if any(w.lower() in _ROLE_WORDS for w in words):
        return False
    if words[0].lower() in _TITLES:
        return True
    return all(_NAME_WORD.match(w) for w in words)


def _emails(document: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    found = []
    if isinstance(document.get("email"), str) and document["email"]:
        found.append((f"{prefix}email", document["email"]))
    return found


def scan(document: dict[str, Any]) -> list[Flag]:
    """Likely personal data in a proposed service document."""
    flags: list[Flag] = []
    for path, address in _emails(document):
        if is_personal_email(address):
            flags.append(Flag(path, address, "a personal email address, not an organisation's"))
    for index, contact in enumerate(document.get("contacts") or []):
        prefix = f"contacts/{index}/"
        person = looks_like_a_person(contact.get("name", ""))
        if person:
            flags.append(
                Flag(prefix + "name", contact["name"], "a person's name as the contact name")
            )
        for path, address in _emails(contact, prefix):
            if is_personal_email(address):
                flags.append(Flag(path, address, "a personal email address"))
        for p_index, phone in enumerate(contact.get("phones") or []):
            if person and is_mobile_number(phone.get("number", "")):
                flags.append(
                    Flag(
                        f"{prefix}phones/{p_index}/number",
                        phone["number"],
                        "a mobile number of a contact who is a person",
                    )
                )
    return flags
