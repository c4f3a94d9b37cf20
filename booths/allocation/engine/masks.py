"""Days and features as bit masks (bit d: day d), and the walks over them the searches share.

Bit operations on Python ints keep the inner loops cheap: a booth's free days are one int, a request
fits when days & ~free == 0. On sites open for weeks a walk over every subset is too long, so the
walks below filter the masks actually requested or placed instead (see Limits.walk).
"""

from __future__ import annotations

from collections.abc import Iterator


def days_mask(days) -> int:
    mask = 0
    for d in days:
        mask |= 1 << d
    return mask


def bits(mask: int):
    d = 0
    while mask:
        if mask & 1:
            yield d
        mask >>= 1
        d += 1


def holding(low: int, region: int, have, listed: list[int]) -> Iterator[int]:
    """The masks of have with low ⊆ m ⊆ region (low: region's lowest day), highest first. listed:
    the masks of have whose lowest day is low, in order; they are filtered, or region's subsets
    walked when those are fewer (on a month-long site, 2^29 of them)."""
    rest = region & ~low
    if len(listed) < 1 << rest.bit_count():
        for m in reversed(listed):
            if not m & ~region:
                yield m
        return
    sub = rest
    while True:
        m = sub | low
        if m in have:
            yield m
        if sub == 0:
            return
        sub = (sub - 1) & rest


def touching(touch: int, region: int, masks, walk: int) -> Iterator[int]:
    """The day masks inside region that share a day with touch, highest first: every one when
    region has at most walk days, else only those in masks."""
    if region.bit_count() > walk:
        yield from sorted((m for m in masks if m & touch and not m & ~region), reverse=True)
        return
    sub = region
    while sub:
        if sub & touch:
            yield sub
        sub = (sub - 1) & region
