"""Reads and checks allocation instances (ALLOCATION_INSTANCE.md) and writes results as JSON."""

from __future__ import annotations

import datetime
import itertools
import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, ngettext

from bazaarche.text import to_persian_digits

from .engine import ApplicationIn, BoothIn, Instance, Placement, Refusal, Result

FEATURES = ("power", "water", "accessible", "outdoor")


class InstanceError(ValueError):
    """The instance breaks the format or the rules; the message says where and how to fix it."""


def load_instance(text: str | bytes, seed: int | None = None) -> Instance:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InstanceError(f"The instance is not valid JSON: {error}") from error
    return parse_instance(data, seed=seed)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InstanceError(message)


def _strings(value: Any, where: str) -> list[str]:
    _require(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        f"{where} must be a list of strings.",
    )
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _day_indices(value: Any, where: str, count: int) -> tuple[int, ...]:
    _require(isinstance(value, list), f"{where} must be a list of day indices.")
    for d in value:
        _require(_is_int(d) and 0 <= d < count, f"{where}: {d!r} is not a day index (0 to {count - 1}).")
    _require(len(set(value)) == len(value), f"{where} lists a day twice.")
    return tuple(sorted(value))


def parse_instance(data: Any, seed: int | None = None) -> Instance:
    """Checks every rule of the format and returns the engine's input; raises InstanceError."""
    _require(isinstance(data, dict), "The instance must be a JSON object.")
    days = data.get("days")
    _require(isinstance(days, list) and len(days) > 0, '"days" must be a non-empty list of dates.')
    dates = []
    for n, day in enumerate(days):
        try:
            dates.append(datetime.date.fromisoformat(day))
        except (TypeError, ValueError):
            raise InstanceError(f"days[{n}]: {day!r} is not a date (YYYY-MM-DD).") from None
    _require(all(x < y for x, y in itertools.pairwise(dates)), '"days" must be in order, each once.')

    raw_booths = data.get("booths")
    _require(isinstance(raw_booths, list), '"booths" must be a list.')
    booth_ids: set[str] = set()
    for n, raw in enumerate(raw_booths):
        _require(isinstance(raw, dict), f"booths[{n}] must be an object.")
        booth_id = raw.get("id")
        _require(isinstance(booth_id, str) and booth_id != "", f'booths[{n}] needs an "id" (a string).')
        _require(booth_id not in booth_ids, f'Booth "{booth_id}" appears twice.')
        booth_ids.add(booth_id)
    booths = []
    for raw in raw_booths:
        where = f'Booth "{raw["id"]}"'
        features = _strings(raw.get("features", []), f"{where}: features")
        unknown = sorted(set(features) - set(FEATURES))
        _require(not unknown, f"{where}: unknown feature {', '.join(unknown)} (use {', '.join(FEATURES)}).")
        neighbours = _strings(raw.get("neighbours", []), f"{where}: neighbours")
        strangers = sorted(set(neighbours) - booth_ids)
        _require(not strangers, f"{where}: neighbour {', '.join(strangers)} is not a booth of the instance.")
        zone, kind = raw.get("zone", ""), raw.get("type", "")
        _require(isinstance(zone, str) and isinstance(kind, str), f"{where}: zone and type must be strings.")
        booth_days = None
        if raw.get("days") is not None:
            booth_days = _day_indices(raw["days"], f"{where}: days", len(days))
        booths.append(BoothIn(raw["id"], zone, kind, frozenset(features), tuple(neighbours), booth_days))

    raw_apps = data.get("applications")
    _require(isinstance(raw_apps, list), '"applications" must be a list.')
    applications, app_ids = [], set()
    by_booth = {b.id: b for b in booths}
    for n, raw in enumerate(raw_apps):
        _require(isinstance(raw, dict), f"applications[{n}] must be an object.")
        app_id = raw.get("id")
        _require(isinstance(app_id, str) and app_id != "", f'applications[{n}] needs an "id" (a string).')
        _require(app_id not in app_ids, f'Application "{app_id}" appears twice.')
        app_ids.add(app_id)
        where = f'Application "{app_id}"'
        app_days = _day_indices(raw.get("days"), f"{where}: days", len(days))
        _require(len(app_days) > 0, f"{where}: days must name at least one day.")
        needs = _strings(raw.get("needs", []), f"{where}: needs")
        unknown = sorted(set(needs) - set(FEATURES))
        _require(not unknown, f"{where}: unknown need {', '.join(unknown)} (use {', '.join(FEATURES)}).")
        priority = raw.get("priority", 0)
        priority = 0 if priority is None else priority
        _require(_is_int(priority), f"{where}: priority must be a whole number.")
        texts = {}
        for key in ("vendor", "category", "county"):
            value = raw.get(key, "")
            value = "" if value is None else value
            _require(isinstance(value, str), f"{where}: {key} must be a string.")
            texts[key] = value
        group = raw.get("group")
        _require(group is None or isinstance(group, str), f"{where}: group must be a string or null.")
        prefers = raw.get("prefers") or {}
        _require(isinstance(prefers, dict), f"{where}: prefers must be an object with zones and types.")
        zones = _strings(prefers.get("zones", []), f"{where}: prefers.zones")
        kinds = _strings(prefers.get("types", []), f"{where}: prefers.types")
        pinned = raw.get("pinned")
        if pinned is not None:
            _require(
                isinstance(pinned, str) and pinned in by_booth,
                f"{where}: pinned booth {pinned!r} does not exist.",
            )
            booth = by_booth[pinned]
            missing = sorted(set(needs) - booth.features)
            _require(not missing, f"{where}: pinned booth {pinned} lacks {', '.join(missing)}.")
            if booth.days is not None:
                closed = sorted(set(app_days) - set(booth.days))
                if closed:
                    raise InstanceError(
                        f"{where}: pinned booth {pinned} is not available on day {closed[0]}."
                    )
        applications.append(
            ApplicationIn(
                id=app_id,
                days=app_days,
                vendor=texts["vendor"],
                category=texts["category"],
                county=texts["county"],
                group=group if group else None,
                priority=priority,
                needs=frozenset(needs),
                prefer_zones=tuple(zones),
                prefer_types=tuple(kinds),
                pinned=pinned,
            )
        )
    taken: dict[tuple[str, int], str] = {}
    for app in applications:
        if app.pinned is not None:
            for d in app.days:
                other = taken.setdefault((app.pinned, d), app.id)
                _require(
                    other == app.id,
                    f'Applications "{other}" and "{app.id}" are both pinned to booth {app.pinned} on day {d}.',
                )
    if seed is None:
        seed = data.get("seed", 0)
        seed = 0 if seed is None else seed
    _require(_is_int(seed), '"seed" must be a whole number.')
    site = data.get("site", "")
    _require(isinstance(site, str), '"site" must be a string.')
    return Instance(tuple(days), tuple(booths), tuple(applications), seed, site)


def _features_text(names: list[str]) -> str:
    labels = {
        "power": gettext("power"),
        "water": gettext("water"),
        "accessible": gettext("accessible access"),
        "outdoor": gettext("outdoor space"),
    }
    return gettext(", ").join(labels[n] for n in names)


def refusal_reason(refusal: Refusal) -> str:
    """A sentence a vendor understands, in the active language."""
    f = refusal.facts
    if refusal.code == "no_booth_with_needs":
        return gettext("No booth at this site has %(needs)s, which your application needs.") % {
            "needs": _features_text(f["needs"])
        }
    if refusal.code == "no_booth_on_days":
        return gettext(
            "The booths that meet your needs are not available on all the days you asked for; "
            "ask for other days."
        )
    count = f["booths"]
    if f["needs"]:
        booths = ngettext(
            "%(count)d booth with %(needs)s is open on your days, and it was taken.",
            "%(count)d booths with %(needs)s are open on your days, and all were taken.",
            count,
        ) % {"count": count, "needs": _features_text(f["needs"])}
    else:
        booths = ngettext(
            "%(count)d booth is open on your days, and it was taken.",
            "%(count)d booths are open on your days, and all were taken.",
            count,
        ) % {"count": count}
    lottery = gettext(
        "%(applicants)d applicants had your priority (%(priority)d); your lottery rank among them was "
        "%(rank)d, and requests for more days are placed first."
    ) % {"applicants": f["applicants"], "priority": f["priority"], "rank": f["rank"]}
    return f"{booths} {lottery}"


def placement_reason(placement: Placement) -> str:
    f = placement.facts
    prefix = {
        "pinned": gettext("The organiser chose this booth for you."),
        "preferred": gettext("This booth is in a zone or of a type you preferred."),
        "group": gettext("This booth is next to your support company's members."),
        "needs": gettext("This booth has %(needs)s, as you need.") % {"needs": _features_text(f["needs"])}
        if f["needs"]
        else "",
        "free": gettext("This booth was free on all your days."),
    }[placement.code]
    rank = gettext("Priority %(priority)d, lottery rank %(rank)d of %(applicants)d.") % {
        "priority": f["priority"],
        "rank": f["rank"],
        "applicants": f["applicants"],
    }
    return f"{prefix} {rank}"


def result_data(result: Result, seconds: bool = True) -> dict:
    """The result as ALLOCATION_INSTANCE.md shapes it, with the reason in Persian and in English."""

    def both(render, item) -> dict:
        with translation.override("fa"):
            fa = to_persian_digits(render(item))
        with translation.override("en"):
            en = render(item)
        return {"reason": fa, "reason_en": en}

    stats = {"booth_days": result.booth_days, "applications": len(result.assignments)}
    if seconds:
        stats["seconds"] = round(result.seconds, 3)
    stats["levels"] = {str(level): figures for level, figures in result.levels.items()}
    return {
        "assignments": [
            {"application": p.application, "booth": p.booth, "days": list(p.days), "code": p.code}
            | both(placement_reason, p)
            for p in result.assignments
        ],
        "unassigned": [
            {"application": r.application, "code": r.code} | both(refusal_reason, r)
            for r in result.unassigned
        ],
        "seed": result.seed,
        "stats": stats,
    }


def result_json(result: Result, seconds: bool = True) -> str:
    return json.dumps(result_data(result, seconds=seconds), ensure_ascii=False, indent=2)
