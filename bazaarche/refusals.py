"""The one shape of a refused action: a stable code for programs, tests and logs, and a message for
the person acting, in their language (after pretix's check-in errors: code first).

Each feature names its own subclass (`OfferError`, `EditError`, `ReviewError`, `PlanError`, …) so
that a caller catches only what it can answer; the code strings are part of the pages and the API,
and never change.
"""

from __future__ import annotations


class Refused(Exception):
    """An action that cannot be done; `code` is stable, `message` says why and how to fix it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
