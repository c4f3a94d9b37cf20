"""Pseudonymous lottery tickets: the public lottery lists them in lottery order, each vendor sees their own."""

from __future__ import annotations

import secrets

# Digits and capitals that cannot be taken for one another, read aloud or written by hand: no 0/O,
# 1/I/L, 2/Z, 5/S, 8/B or U/V.
ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 6  # 23**6, about 148 million tickets: a run draws at most a few tens of thousands


def new_ticket() -> str:
    """A random ticket such as "K7M-2QX", drawn with `secrets` so that nobody can guess whose it is."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{code[:3]}-{code[3:]}"


def new_tickets(application_ids: list[str]) -> dict[str, str]:
    """A ticket for each application id, unique within the run."""
    tickets: dict[str, str] = {}
    taken: set[str] = set()
    for app_id in application_ids:
        ticket = new_ticket()
        while ticket in taken:
            ticket = new_ticket()
        taken.add(ticket)
        tickets[app_id] = ticket
    return tickets
