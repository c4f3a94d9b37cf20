"""Gate passes: unguessable codes, issuing for confirmed booths, revoking and re-issuing.

A code is 27 characters from a 29-letter alphabet without look-alikes (no 0/O, 1/I/L, U/V),
drawn from `secrets`: about 131 bits, so guessing one is hopeless, and the gate looks it up by a
unique index. The QR holds the bare code.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from .models import Application, Pass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # no 0 O 1 I L U V
CODE_LENGTH = 27  # 27 × log2(29) ≈ 131 bits

_FOLD = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """The code in scanned or typed text (any case, spaces, dashes, Persian digits), or None."""
    code = "".join(ch for ch in str(text).translate(_FOLD) if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


@transaction.atomic
def issue_passes(application: Application) -> list[Pass]:
    """The live passes of an application: one for the vendor and one per helper, issuing what is missing."""
    live = list(application.passes.filter(revoked_at__isnull=True).order_by("id"))
    wanted = [(Pass.Holder.VENDOR, application.vendor.full_name)] + [
        (Pass.Holder.HELPER, "") for _ in range(application.helpers)
    ]
    have = {Pass.Holder.VENDOR: 0, Pass.Holder.HELPER: 0}
    for p in live:
        have[p.holder] += 1
    for holder, name in wanted:
        if have[holder]:
            have[holder] -= 1
            continue
        live.append(
            Pass.objects.create(
                site=application.site, application=application, holder=holder, holder_name=name, code=new_code()
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
