"""`manage.py allocate` on instance files and on sites in the database (the adapter)."""

import datetime
import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from booths.allocation.adapter import allocate_site, site_instance
from booths.allocation.instance import canonical_instance
from booths.demo import load_demo
from booths.models import AllocationRun, Application, Assignment, Offer
from events.models import Site
from tests import factories

INSTANCE = {
    "site": "khorramabad-nowruz-1406",
    "days": ["2027-03-15", "2027-03-16", "2027-03-17"],
    "booths": [
        {"id": "A-01", "zone": "A", "type": "corner", "features": ["power", "water"], "neighbours": ["A-02"]},
        {"id": "A-02", "zone": "A", "type": "standard", "features": [], "neighbours": ["A-01"]},
    ],
    "applications": [
        {"id": "app-17", "category": "5005", "priority": 2, "days": [1, 2], "needs": ["water"]},
        {"id": "app-18", "category": "5005", "priority": 1, "days": [0, 1, 2]},
        {"id": "app-19", "category": "1002", "priority": 0, "days": [0]},
    ],
    "seed": 42,
}


def run(*args) -> str:
    out = io.StringIO()
    call_command("allocate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_allocate_instance_prints_the_result_json(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(INSTANCE), encoding="utf-8")
    data = json.loads(run("--instance", str(path)))
    assert [(a["application"], a["booth"], a["days"]) for a in data["assignments"]] == [
        ("app-17", "A-01", [1, 2]),
        ("app-18", "A-02", [0, 1, 2]),
        ("app-19", "A-01", [0]),
    ]
    assert data["unassigned"] == []
    assert data["seed"] == 42
    assert data["stats"]["booth_days"] == 6


def test_allocate_instance_seed_option_overrides_and_is_reproducible(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(INSTANCE), encoding="utf-8")
    first = json.loads(run("--instance", str(path), "--seed", "7"))
    second = json.loads(run("--instance", str(path), "--seed", "7"))
    assert first["seed"] == 7
    assert first == second


def test_allocate_instance_twice_gives_the_same_bytes_and_the_time_on_stderr(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(INSTANCE), encoding="utf-8")
    outputs = []
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        call_command("allocate", "--instance", str(path), "--seed", "7", stdout=out, stderr=err)
        outputs.append(out.getvalue().encode())
        assert re.fullmatch(r"allocated in \d+\.\d\d s\n", err.getvalue())
    assert outputs[0] == outputs[1]
    assert b"seconds" not in outputs[0]


def test_allocate_instance_without_a_seed_takes_the_seed_option(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps({k: v for k, v in INSTANCE.items() if k != "seed"}), encoding="utf-8")
    with_seed = tmp_path / "with-seed.json"
    with_seed.write_text(json.dumps(INSTANCE), encoding="utf-8")
    assert run("--instance", str(path), "--seed", "42") == run("--instance", str(with_seed))


def test_allocate_instance_output_is_utf8_persian(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(INSTANCE), encoding="utf-8")
    text = run("--instance", str(path))
    assert "\\u" not in text


def test_allocate_instance_bad_file_exits_2_with_the_reason(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(INSTANCE | {"days": ["2027-03-15"]}), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("--instance", str(path))
    assert caught.value.returncode == 2
    assert str(caught.value) == f'{path}: Application "app-17": days: 1 is not a day index (0 to 0).'


def test_allocate_instance_keeps_category_group_quotas(tmp_path):
    data = json.loads(json.dumps(INSTANCE))
    for app in data["applications"]:
        app["category_group"] = "5"
    data["quotas"] = [{"group": "5", "max_percent": 50}]  # 3 of the 6 booth-days
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = json.loads(run("--instance", str(path)))
    assert result["stats"]["booth_days"] == 3
    # Priority 2 first (2 booth-days); priority 1 asks for 3 more, too many; priority 0 for 1, fits.
    assert [(a["application"], a["days"]) for a in result["assignments"]] == [
        ("app-17", [1, 2]),
        ("app-19", [0]),
    ]
    assert [(u["application"], u["code"]) for u in result["unassigned"]] == [("app-18", "quota_full")]


def test_allocate_instance_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        run("--instance", str(tmp_path / "none.json"))
    assert caught.value.returncode == 2
    assert str(caught.value) == f"Cannot read {tmp_path / 'none.json'}: No such file or directory."


def test_allocate_unknown_site_exits_2(db):
    with pytest.raises(CommandError) as caught:
        run("no-such-site")
    assert (caught.value.returncode, str(caught.value)) == (2, "No site with the slug 'no-such-site'.")


@pytest.fixture
def small_site(db):
    today = timezone.localdate()
    site = factories.site(start_date=today, end_date=today + datetime.timedelta(days=2))
    hall = factories.hall(site, code="H")
    wet = factories.booth(hall, code="W1", has_water=True, has_power=True)
    dry = factories.booth(hall, code="D1")
    factories.booth(hall, code="X1", blocked=True)
    wet.neighbours.add(dry)
    days = [(today + datetime.timedelta(days=n)).isoformat() for n in range(3)]
    accepted = Application.Status.ACCEPTED
    apps = {
        "cook": factories.application(site, status=accepted, days=days, needs_water=True, priority=2),
        "weaver": factories.application(site, status=accepted, days=days[:2], priority=1),
        "late": factories.application(site, status=accepted, days=days[2:], priority=0),
        "extra": factories.application(site, status=accepted, days=days, priority=0),
        "waiting": factories.application(site, status=Application.Status.SUBMITTED, days=days),
    }
    return site, {"wet": wet, "dry": dry}, apps, days


def test_site_instance_maps_booths_days_and_accepted_applications(small_site):
    site, _booths, apps, days = small_site
    instance, _, _ = site_instance(site, seed=3)
    assert instance.days == tuple(days)
    assert [(b.id, sorted(b.features), b.neighbours) for b in instance.booths] == [
        ("H/D1", [], ("H/W1",)),
        ("H/W1", ["power", "water"], ("H/D1",)),
    ]
    cook = next(a for a in instance.applications if a.id == f"app-{apps['cook'].pk}")
    assert (cook.days, cook.needs, cook.priority, cook.vendor) == (
        (0, 1, 2),
        frozenset({"water"}),
        2,
        apps["cook"].vendor.tracking_code,
    )
    assert f"app-{apps['waiting'].pk}" not in {a.id for a in instance.applications}


def test_allocate_site_writes_assignments_in_one_go(small_site):
    site, _booths, apps, days = small_site
    out = run(site.slug, "--seed", "1")
    rows = sorted(
        (r.application_id, r.booth.code, r.date.isoformat())
        for r in Assignment.objects.select_related("booth")
    )
    assert rows == sorted(
        [(apps["cook"].pk, "W1", d) for d in days]
        + [(apps["weaver"].pk, "D1", d) for d in days[:2]]
        + [(apps["late"].pk, "D1", days[2])]
    )
    assert "priority 2: 1 placed, 0 unplaced, 3 of 3 booth-days" in out
    assert "Wrote 6 assignments" in out
    # Recorded like a run from the organiser's page: seed, lottery, instance and the engine's reasons.
    recorded = AllocationRun.objects.get()
    assert f"Recorded as allocation run {recorded.pk}" in out
    assert (recorded.site, recorded.seed, recorded.status) == (site, 1, AllocationRun.Status.DONE)
    assert sorted(recorded.lottery) == sorted(f"app-{a.pk}" for a in apps.values() if a.status == "accepted")
    assert recorded.placements[f"app-{apps['cook'].pk}"]["booth"].endswith("/W1")
    assert recorded.summary["written"] == 6
    assert all(a["vendor"] == "" for a in recorded.instance["applications"])
    # The seed was given, not drawn; the commitment is to the instance the run used, without a seed.
    assert (recorded.seed_drawn, "seed" in recorded.instance) == (False, False)
    assert recorded.commitment == hashlib.sha256(canonical_instance(recorded.instance)).hexdigest()
    assert f"commitment {recorded.commitment}" in out
    assert sorted(recorded.tickets) == sorted(recorded.lottery)


def test_allocate_site_without_a_seed_draws_one_after_the_commitment(small_site):
    site, *_ = small_site
    out = run(site.slug)
    recorded = AllocationRun.objects.get()
    assert (recorded.status, recorded.seed_drawn, len(recorded.commitment)) == ("done", True, 64)
    assert f"seed {recorded.seed}" in out


def test_allocate_site_refuses_while_a_run_is_in_progress(small_site):
    site, *_ = small_site
    busy = AllocationRun.objects.create(site=site, seed=3, status=AllocationRun.Status.RUNNING)
    with pytest.raises(CommandError, match=f"Allocation run {busy.pk} of {site.slug} is still running"):
        run(site.slug)
    assert Assignment.objects.count() == 0
    assert AllocationRun.objects.count() == 1


def test_allocate_site_dry_run_writes_nothing(small_site):
    site, *_ = small_site
    out = run(site.slug, "--dry-run")
    assert Assignment.objects.count() == 0
    assert AllocationRun.objects.count() == 0
    assert "Dry run: nothing written." in out


def test_allocate_site_twice_replaces_and_keeps_offered_rows(small_site):
    site, booths, apps, days = small_site
    offer = Offer.objects.create(
        application=apps["extra"], booth=booths["dry"], days=days, expires_at=timezone.now()
    )
    for d in days:
        Assignment.objects.create(booth=booths["dry"], date=d, application=apps["extra"], offer=offer)
    allocate_site(site, seed=1)
    allocate_site(site, seed=1)
    held = Assignment.objects.filter(offer=offer).count()
    assert held == 3
    others = sorted((r.application_id, r.booth_id) for r in Assignment.objects.filter(offer__isnull=True))
    assert others == [(apps["cook"].pk, booths["wet"].pk)] * 3


@pytest.mark.django_db
def test_allocate_demo_site_dry_run_and_write_keep_the_constraints():
    load_demo(datetime.date(2025, 11, 17))
    site = Site.objects.get(slug="khorramabad-fairground")
    dry = allocate_site(site, seed=1404, dry_run=True)
    assert dry.written == 0
    before = Assignment.objects.filter(application__site=site).count()
    assert Assignment.objects.filter(application__site=site).count() == before
    run = allocate_site(site, seed=1404)
    assert run.result.booth_days > 0
    rows = list(
        Assignment.objects.filter(application__site=site).values_list("booth_id", "date", "application_id")
    )
    assert len({(b, d) for b, d, _ in rows}) == len(rows)
    assert len({(a, d) for _, d, a in rows}) == len(rows)
    out = io.StringIO()
    call_command("allocate", "khorramabad-fairground", "--dry-run", stdout=out)
    assert "khorramabad-fairground:" in out.getvalue()
