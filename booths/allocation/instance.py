"""Reads and checks allocation instances (ALLOCATION_INSTANCE.md), writes their canonical form (what a
run commits to) and writes results as JSON."""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import json
import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _gettext
from django.utils.translation import ngettext as _ngettext

from .engine import ApplicationIn, BoothIn, Instance, Placement, Refusal, Result

FEATURES = ("power", "water", "accessible", "outdoor")

# bazaarche.text.to_persian_digits, faster on long Persian text (str.translate is slow on non-ASCII
# strings, and a large result has 20,000 reasons): only the runs of digits are translated.
_NUMBER = re.compile(r"[0-9\u0660-\u0669]+")
_PERSIAN = str.maketrans(
    "0123456789\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669", "۰۱۲۳۴۵۶۷۸۹" * 2
)


def persian_digits(text: str) -> str:
    return _NUMBER.sub(lambda match: match.group().translate(_PERSIAN), text)


# Translations looked up once per language and message: a result has 20,000 reasons to render.
# (Named gettext and ngettext so that makemessages finds the messages.)
@functools.lru_cache(maxsize=1024)
def _translated(language: str | None, message: str, plural: str | None = None, count: int = 0) -> str:
    return _gettext(message) if plural is None else _ngettext(message, plural, count)


def gettext(message: str) -> str:
    return _translated(translation.get_language(), message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translated(translation.get_language(), singular, plural, count)


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
    days = _days(data.get("days"))
    booths = _booths(data.get("booths"), len(days))
    applications = _applications(data.get("applications"), {b.id: b for b in booths}, len(days))
    if seed is None:
        seed = data.get("seed", 0)
        seed = 0 if seed is None else seed
    _require(_is_int(seed), '"seed" must be a whole number.')
    site = data.get("site", "")
    _require(isinstance(site, str), '"site" must be a string.')
    return Instance(tuple(days), booths, applications, seed, site, _quotas(data.get("quotas")))


def _days(days: Any) -> list[str]:
    _require(isinstance(days, list) and len(days) > 0, '"days" must be a non-empty list of dates.')
    dates = []
    for n, day in enumerate(days):
        try:
            dates.append(datetime.date.fromisoformat(day))
        except (TypeError, ValueError):
            raise InstanceError(f"days[{n}]: {day!r} is not a date (YYYY-MM-DD).") from None
    _require(all(x < y for x, y in itertools.pairwise(dates)), '"days" must be in order, each once.')
    return days


def _booths(raw_booths: Any, day_count: int) -> tuple[BoothIn, ...]:
    """Every booth's id first (a neighbour may be listed before it), then each booth."""
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
            booth_days = _day_indices(raw["days"], f"{where}: days", day_count)
        booths.append(BoothIn(raw["id"], zone, kind, frozenset(features), tuple(neighbours), booth_days))
    return tuple(booths)


def _applications(raw_apps: Any, by_booth: dict[str, BoothIn], day_count: int) -> tuple[ApplicationIn, ...]:
    """Each application, then no two pinned to one booth on one day."""
    _require(isinstance(raw_apps, list), '"applications" must be a list.')
    applications, app_ids = [], set()
    for n, raw in enumerate(raw_apps):
        _require(isinstance(raw, dict), f"applications[{n}] must be an object.")
        app_id = raw.get("id")
        _require(isinstance(app_id, str) and app_id != "", f'applications[{n}] needs an "id" (a string).')
        _require(app_id not in app_ids, f'Application "{app_id}" appears twice.')
        app_ids.add(app_id)
        applications.append(_application(raw, app_id, by_booth, day_count))
    taken: dict[tuple[str, int], str] = {}
    for app in applications:
        if app.pinned is not None:
            for d in app.days:
                other = taken.setdefault((app.pinned, d), app.id)
                _require(
                    other == app.id,
                    f'Applications "{other}" and "{app.id}" are both pinned to booth {app.pinned} on day {d}.',
                )
    return tuple(applications)


def _application(raw: dict, app_id: str, by_booth: dict[str, BoothIn], day_count: int) -> ApplicationIn:
    where = f'Application "{app_id}"'
    app_days = _day_indices(raw.get("days"), f"{where}: days", day_count)
    _require(len(app_days) > 0, f"{where}: days must name at least one day.")
    needs = _strings(raw.get("needs", []), f"{where}: needs")
    unknown = sorted(set(needs) - set(FEATURES))
    _require(not unknown, f"{where}: unknown need {', '.join(unknown)} (use {', '.join(FEATURES)}).")
    priority = raw.get("priority", 0)
    priority = 0 if priority is None else priority
    _require(_is_int(priority), f"{where}: priority must be a whole number.")
    texts = {}
    for key in ("vendor", "category", "county", "category_group"):
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
        _pin_fits(pinned, by_booth, needs, app_days, where)
    return ApplicationIn(
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
        category_group=texts["category_group"],
    )


def _pin_fits(pinned: Any, by_booth: dict[str, BoothIn], needs: list[str], days: tuple[int, ...], where: str):
    _require(
        isinstance(pinned, str) and pinned in by_booth, f"{where}: pinned booth {pinned!r} does not exist."
    )
    booth = by_booth[pinned]
    missing = sorted(set(needs) - booth.features)
    _require(not missing, f"{where}: pinned booth {pinned} lacks {', '.join(missing)}.")
    if booth.days is not None:
        closed = sorted(set(days) - set(booth.days))
        if closed:
            raise InstanceError(f"{where}: pinned booth {pinned} is not available on day {closed[0]}.")


def _quotas(raw: Any) -> tuple[tuple[str, int], ...]:
    """ "quotas": [{"group": "5", "max_percent": 40}, …]: a category group's largest share of the
    site's booth-days (the booths' available days), in whole percent."""
    if raw is None:
        return ()
    _require(isinstance(raw, list), '"quotas" must be a list of {"group", "max_percent"} objects.')
    quotas: dict[str, int] = {}
    for n, quota in enumerate(raw):
        _require(isinstance(quota, dict), f"quotas[{n}] must be an object with group and max_percent.")
        group, percent = quota.get("group"), quota.get("max_percent")
        _require(isinstance(group, str) and group != "", f'quotas[{n}]: "group" must be a non-empty string.')
        _require(group not in quotas, f'quotas[{n}]: group "{group}" has a quota already.')
        _require(
            _is_int(percent) and 0 <= percent <= 100,
            f'quotas[{n}]: "max_percent" must be a whole number from 0 to 100.',
        )
        quotas[group] = percent
    return tuple(quotas.items())


def features_text(names: list[str]) -> str:
    labels = {
        "power": lambda: gettext("power"),
        "water": lambda: gettext("water"),
        "accessible": lambda: gettext("accessible access"),
        "outdoor": lambda: gettext("outdoor space"),
    }
    return gettext(", ").join(labels[n]() for n in names)


# Who reads a reason: the vendor ("your application", the default, also in the result JSON) or the
# organiser's board, which speaks about the application ("this application").
VENDOR = "vendor"
ORGANISER = "organiser"


def refusal_reason(refusal: Refusal, reader: str = VENDOR, group_name: str | None = None) -> str:
    """A sentence in the active language, to the vendor or (reader=ORGANISER) about the application.

    `group_name` names the category group of a full quota; the instance knows only its id.
    """
    about = reader == ORGANISER
    f = refusal.facts
    if refusal.code == "no_booth_with_needs":
        message = (
            gettext("No booth at this site has %(needs)s, which this application needs.")
            if about
            else gettext("No booth at this site has %(needs)s, which your application needs.")
        )
        return message % {"needs": features_text(f["needs"])}
    if refusal.code == "no_booth_on_days":
        if about:
            return gettext(
                "The booths that meet this application's needs are not available on all the days it asks for."
            )
        return gettext(
            "The booths that meet your needs are not available on all the days you asked for; "
            "ask for other days."
        )
    if refusal.code == "quota_full":
        return _quota_full(f, about, group_name)
    return f"{_booths_taken(f, about)} {_lottery_rank(f, about)}"


def _quota_full(f: dict, about: bool, group_name: str | None) -> str:
    if about:
        message = gettext(
            "The quota of category group %(group)s is full: it may hold at most %(percent)d percent of "
            "the site's booth-days (%(limit)d), %(used)d are taken, and this application needs "
            "%(days)d more. Priority %(priority)d, lottery rank %(rank)d of %(applicants)d."
        )
    else:
        message = gettext(
            "The quota of category group %(group)s is full: it may hold at most %(percent)d percent of "
            "the site's booth-days (%(limit)d), %(used)d are taken, and your request needs "
            "%(days)d more. Priority %(priority)d, lottery rank %(rank)d of %(applicants)d."
        )
    return message % {
        "group": group_name or f["group"],
        "percent": f["percent"],
        "limit": f["limit"],
        "used": f["used"],
        "days": f["days"],
        "priority": f["priority"],
        "rank": f["rank"],
        "applicants": f["applicants"],
    }


def _booths_taken(f: dict, about: bool) -> str:
    """How many booths that would do were open on the days asked for (all taken)."""
    count = f["booths"]
    if f["needs"] and about:
        return ngettext(
            "%(count)d booth with %(needs)s is open on its days, and it was taken.",
            "%(count)d booths with %(needs)s are open on its days, and all were taken.",
            count,
        ) % {"count": count, "needs": features_text(f["needs"])}
    if f["needs"]:
        return ngettext(
            "%(count)d booth with %(needs)s is open on your days, and it was taken.",
            "%(count)d booths with %(needs)s are open on your days, and all were taken.",
            count,
        ) % {"count": count, "needs": features_text(f["needs"])}
    if about:
        return ngettext(
            "%(count)d booth is open on its days, and it was taken.",
            "%(count)d booths are open on its days, and all were taken.",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)d booth is open on your days, and it was taken.",
        "%(count)d booths are open on your days, and all were taken.",
        count,
    ) % {"count": count}


def _lottery_rank(f: dict, about: bool) -> str:
    if about:
        lottery = gettext(
            "%(applicants)d applicants had its priority (%(priority)d); its lottery rank among them was "
            "%(rank)d, and requests for more days are placed first."
        )
    else:
        lottery = gettext(
            "%(applicants)d applicants had your priority (%(priority)d); your lottery rank among them was "
            "%(rank)d, and requests for more days are placed first."
        )
    return lottery % {"applicants": f["applicants"], "priority": f["priority"], "rank": f["rank"]}


def placement_reason(placement: Placement, reader: str = VENDOR) -> str:
    """Why this booth, in the active language, to the vendor or (reader=ORGANISER) about the application."""
    about = reader == ORGANISER
    f = placement.facts
    code = placement.code
    if code == "pinned":
        prefix = (
            gettext("The organiser chose this booth.")
            if about
            else gettext("The organiser chose this booth for you.")
        )
    elif code == "preferred":
        prefix = (
            gettext("This booth is in a zone or of a type the application preferred.")
            if about
            else gettext("This booth is in a zone or of a type you preferred.")
        )
    elif code == "group":
        prefix = (
            gettext("This booth is next to members of the same support company.")
            if about
            else gettext("This booth is next to your support company's members.")
        )
    elif code == "needs":
        message = (
            gettext("This booth has %(needs)s, which this application needs.")
            if about
            else gettext("This booth has %(needs)s, as you need.")
        )
        prefix = message % {"needs": features_text(f["needs"])} if f["needs"] else ""
    else:
        prefix = (
            gettext("This booth was free on all the application's days.")
            if about
            else gettext("This booth was free on all your days.")
        )
    rank = gettext("Priority %(priority)d, lottery rank %(rank)d of %(applicants)d.") % {
        "priority": f["priority"],
        "rank": f["rank"],
        "applicants": f["applicants"],
    }
    return f"{prefix} {rank}"


def instance_data(instance: Instance, public: bool = False) -> dict:
    """The instance as ALLOCATION_INSTANCE.md shapes it; `public` leaves out the vendors' tracking codes
    (the engine does not use them, so the result is the same)."""
    data = {
        "site": instance.site,
        "days": list(instance.days),
        "booths": [
            {
                "id": b.id,
                "zone": b.zone,
                "type": b.type,
                "features": sorted(b.features),
                "neighbours": list(b.neighbours),
            }
            | ({"days": list(b.days)} if b.days is not None else {})
            for b in instance.booths
        ],
        "applications": [
            {
                "id": a.id,
                "vendor": "" if public else a.vendor,
                "category": a.category,
                "category_group": a.category_group,
                "county": a.county,
                "group": a.group,
                "priority": a.priority,
                "days": list(a.days),
                "needs": sorted(a.needs),
                "prefers": {"zones": list(a.prefer_zones), "types": list(a.prefer_types)},
                "pinned": a.pinned,
            }
            for a in instance.applications
        ],
        "seed": instance.seed,
    }
    if instance.quotas:
        data["quotas"] = [{"group": group, "max_percent": percent} for group, percent in instance.quotas]
    return data


def canonical_instance(data: dict) -> bytes:
    """The one canonical form of an instance: the bytes a run commits to and the organisers hand out.

    `data` is the instance as `instance_data(instance, public=True)` shapes it (or as a run stores it);
    its "seed" is left out, because the seed is drawn after the commitment and given with `--seed`.
    The rest is written as json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")), in
    UTF-8, with no newline at the end. So `sha256sum FILE` of the organiser's download is the run's
    commitment, and `manage.py allocate --instance FILE --seed SEED` re-runs the allocation.
    """
    without_seed = {key: value for key, value in data.items() if key != "seed"}
    return json.dumps(without_seed, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def instance_commitment(data: dict) -> str:
    """The SHA-256 (hex) of the canonical instance, as `sha256sum` prints it."""
    return hashlib.sha256(canonical_instance(data)).hexdigest()


def result_data(result: Result) -> dict:
    """The result as ALLOCATION_INSTANCE.md shapes it, with the reason in Persian and in English.

    A pure function of the instance and the seed: no timings (the command writes its time to
    standard error), so the same input gives the same bytes."""

    # One language switch per language, not per item: the large instances have 20,000 reasons.
    with translation.override("fa"):
        fa = [persian_digits(placement_reason(p)) for p in result.assignments]
        fa_refusals = [persian_digits(refusal_reason(r)) for r in result.unassigned]
    with translation.override("en"):
        en = [placement_reason(p) for p in result.assignments]
        en_refusals = [refusal_reason(r) for r in result.unassigned]

    return {
        "assignments": [
            {"application": p.application, "booth": p.booth, "days": list(p.days), "code": p.code}
            | {"reason": fa[n], "reason_en": en[n]}
            for n, p in enumerate(result.assignments)
        ],
        "unassigned": [
            {"application": r.application, "code": r.code}
            | {"reason": fa_refusals[n], "reason_en": en_refusals[n]}
            for n, r in enumerate(result.unassigned)
        ],
        "seed": result.seed,
        "stats": {
            "booth_days": result.booth_days,
            "applications": len(result.assignments),
            "levels": {str(level): figures for level, figures in result.levels.items()},
        },
    }


def result_json(result: Result) -> str:
    return json.dumps(result_data(result), ensure_ascii=False, indent=2)
