"""Gate passes: unguessable codes, issuing for confirmed booths, revoking and re-issuing.

A code is 27 characters from a 29-letter alphabet without look-alikes (no 0/O, 1/I/L, U/V),
drawn from `secrets`: about 131 bits, so guessing one is hopeless, and the gate looks it up by a
unique index. The QR holds the bare code.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from booths.models import Application, Pass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # no 0 O 1 I L U V
CODE_LENGTH = 27  # 27 × log2(29) ≈ 131 bits

_FOLD = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


# What may stand between the characters of a typed or pasted code: spaces of any kind, dashes, and
# the invisible marks a Persian keyboard or a right-to-left text field adds (ZWNJ, ZWJ, direction marks).
_SEPARATORS = frozenset(
    "-_\u2010\u2011\u2012\u2013\u2014\u2212\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\ufeff"
)


def normalize_code(text: str) -> str | None:
    """The code in scanned or typed text (any case, spaces, dashes, Persian digits), or None.

    Anything else — a character outside the alphabet, punctuation, one character too many or too
    few — makes the text no code at all: an altered code never turns into a valid one.
    """
    if not isinstance(text, str):
        return None
    code = "".join(ch for ch in text.translate(_FOLD) if not ch.isspace() and ch not in _SEPARATORS)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


@transaction.atomic
def issue_passes(application: Application) -> list[Pass]:
    """The live passes of an application: one for the vendor and one per helper, issuing what is missing."""
    live = list(application.passes.filter(revoked_at__isnull=True).order_by("id"))
    # Helpers as many as asked for, up to what the site allows per booth.
    helpers = min(application.helpers, application.site.helpers_per_booth)
    wanted = [(Pass.Holder.VENDOR, application.vendor.full_name)] + [(Pass.Holder.HELPER, "")] * helpers
    have = {Pass.Holder.VENDOR: 0, Pass.Holder.HELPER: 0}
    for p in live:
        have[p.holder] += 1
    for holder, name in wanted:
        if have[holder]:
            have[holder] -= 1
            continue
        live.append(
            Pass.objects.create(
                site=application.site,
                application=application,
                holder=holder,
                holder_name=name,
                code=new_code(),
            )
        )
    return live


@transaction.atomic
def reissue(pass_obj: Pass) -> Pass:
    """Revoke a pass and issue its replacement: the old code answers `revoked` from now on."""
    Pass.objects.filter(pk=pass_obj.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return Pass.objects.create(
        site=pass_obj.site,
        application=pass_obj.application,
        holder=pass_obj.holder,
        holder_name=pass_obj.holder_name,
        code=new_code(),
    )


def name_helper(pass_obj: Pass, name: str) -> Pass:
    """Write on a helper's pass who carries it (empty: nobody named yet); the gate reads it with the face.

    The card and its image are drawn from the pass each time, so they show the name at once.
    """
    if pass_obj.holder != Pass.Holder.HELPER:
        raise ValueError("only a helper's pass is named by the vendor")
    pass_obj.holder_name = name
    Pass.objects.filter(pk=pass_obj.pk).update(holder_name=name)
    return pass_obj


def revoke_passes(application_ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """Revoke every live pass of these applications (their booth is gone); returns how many.

    A revoked code answers `revoked` at the gate from then on, and the pass list shows when.
    """
    live = Pass.objects.filter(application_id__in=list(application_ids), revoked_at__isnull=True)
    return live.update(revoked_at=now or timezone.now())


def live_passes(site) -> QuerySet[Pass]:
    """A site's passes that are not revoked, with what a card shows, in a stable order (booth, holder)."""
    from django.db.models import Prefetch

    from booths.models import Assignment

    return (
        Pass.objects.filter(site=site, revoked_at__isnull=True)
        .select_related("site", "application__vendor")
        .prefetch_related(
            Prefetch(
                "application__assignments",
                queryset=Assignment.objects.select_related("booth__hall").order_by("date"),
            )
        )
        .order_by("application_id", "-holder", "id")  # the vendor, then helpers
    )


def valid_days(pass_obj: Pass) -> list:
    """The days a pass admits at its site: its application's assigned days (reads prefetched assignments)."""
    return sorted({a.date for a in pass_obj.application.assignments.all()})


def is_valid_on(pass_obj: Pass, day) -> bool:
    return pass_obj.revoked_at is None and day in valid_days(pass_obj)


def grouped(code: str, size: int = 3) -> str:
    """The code in groups for reading aloud or typing: "ABC DEF …" (normalize_code ignores the spaces)."""
    return " ".join(code[i : i + size] for i in range(0, len(code), size))
