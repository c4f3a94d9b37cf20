"""Pseudonymous lottery tickets: short, readable aloud, unique within a run."""

import re

from booths.allocation.tickets import ALPHABET, new_tickets


def test_tickets_are_unique_and_readable_for_a_large_run():
    ids = [f"app-{n}" for n in range(20_000)]
    tickets = new_tickets(ids)
    assert sorted(tickets) == sorted(ids)
    assert len(set(tickets.values())) == 20_000
    assert all(re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}", t) for t in tickets.values())
    assert set("".join(tickets.values()).replace("-", "")) <= set(ALPHABET)


def test_ticket_alphabet_has_no_look_alikes():
    assert set(ALPHABET) & set("01OIL5S8B2ZUV") == set()


def test_tickets_are_not_drawn_from_the_ids():
    ids = ["app-1", "app-2"]
    assert new_tickets(ids) != new_tickets(ids)
