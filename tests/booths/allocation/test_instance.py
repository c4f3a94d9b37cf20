"""Reading and checking allocation instances, and the result's JSON shape."""

import json

import pytest

from booths.allocation.engine import allocate
from booths.allocation.instance import (
    InstanceError,
    canonical_instance,
    load_instance,
    parse_instance,
    result_data,
    result_json,
)


def instance(**changes) -> dict:
    data = {
        "site": "khorramabad-nowruz-1406",
        "days": ["2027-03-15", "2027-03-16", "2027-03-17"],
        "booths": [
            {"id": "A-01", "zone": "A", "type": "corner", "features": ["power", "water"], "neighbours": ["A-02"],
             "days": [0, 1, 2]},
            {"id": "A-02", "zone": "A", "type": "standard", "features": [], "neighbours": ["A-01"]},
        ],
        "applications": [
            {"id": "app-17", "vendor": "1404000000", "category": "5005", "county": "khorramabad",
             "group": "10861234561", "priority": 2, "days": [1, 2], "needs": ["water"],
             "prefers": {"zones": ["A"], "types": ["corner"]}, "pinned": None},
        ],
        "seed": 42,
    }  # fmt: skip
    data.update(changes)
    return data


def test_parse_instance_reads_the_documented_example():
    parsed = parse_instance(instance())
    assert parsed.seed == 42
    assert parsed.days == ("2027-03-15", "2027-03-16", "2027-03-17")
    assert [b.id for b in parsed.booths] == ["A-01", "A-02"]
    assert parsed.booths[1].days is None
    app = parsed.applications[0]
    assert (app.priority, app.days, app.needs, app.prefer_types) == (
        2,
        (1, 2),
        frozenset({"water"}),
        ("corner",),
    )


def test_parse_instance_seed_argument_overrides_the_file():
    assert parse_instance(instance(), seed=7).seed == 7


def test_parse_instance_defaults_priority_and_seed():
    data = instance(applications=[{"id": "a", "days": [0]}])
    del data["seed"]
    parsed = parse_instance(data)
    assert (parsed.seed, parsed.applications[0].priority, parsed.applications[0].needs) == (0, 0, frozenset())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days": []}, '"days" must be a non-empty list of dates.'),
        ({"days": ["2027-03-15", "tomorrow"]}, "days[1]: 'tomorrow' is not a date (YYYY-MM-DD)."),
        ({"days": ["2027-03-16", "2027-03-15"]}, '"days" must be in order, each once.'),
        ({"booths": [{"id": "A"}, {"id": "A"}]}, 'Booth "A" appears twice.'),
        ({"booths": [{"id": "A", "features": ["gas"]}]}, 'Booth "A": unknown feature gas (use power, water, accessible, outdoor).'),
        ({"booths": [{"id": "A", "neighbours": ["Z"]}]}, 'Booth "A": neighbour Z is not a booth of the instance.'),
        ({"booths": [{"id": "A", "days": [3]}]}, 'Booth "A": days: 3 is not a day index (0 to 2).'),
        ({"applications": [{"id": "a", "days": []}]}, 'Application "a": days must name at least one day.'),
        ({"applications": [{"id": "a", "days": [0, 0]}]}, 'Application "a": days lists a day twice.'),
        ({"applications": [{"id": "a", "days": [0], "priority": "high"}]}, 'Application "a": priority must be a whole number.'),
        ({"applications": [{"id": "a", "days": [0], "pinned": "Z-9"}]}, "Application \"a\": pinned booth 'Z-9' does not exist."),
        ({"applications": [{"id": "a", "days": [0], "needs": ["power"], "pinned": "A-02"}]}, 'Application "a": pinned booth A-02 lacks power.'),
        (
            {"applications": [{"id": "a", "days": [0, 1], "pinned": "A-02"}, {"id": "b", "days": [1], "pinned": "A-02"}]},
            'Applications "a" and "b" are both pinned to booth A-02 on day 1.',
        ),
        ({"seed": "x"}, '"seed" must be a whole number.'),
        ({"applications": [{"id": "a", "days": [0], "category_group": 5}]}, 'Application "a": category_group must be a string.'),
        ({"quotas": {"5": 40}}, '"quotas" must be a list of {"group", "max_percent"} objects.'),
        ({"quotas": [{"group": "", "max_percent": 40}]}, 'quotas[0]: "group" must be a non-empty string.'),
        ({"quotas": [{"group": "5", "max_percent": 101}]}, 'quotas[0]: "max_percent" must be a whole number from 0 to 100.'),
        ({"quotas": [{"group": "5", "max_percent": "40"}]}, 'quotas[0]: "max_percent" must be a whole number from 0 to 100.'),
        (
            {"quotas": [{"group": "5", "max_percent": 40}, {"group": "5", "max_percent": 30}]},
            'quotas[1]: group "5" has a quota already.',
        ),
    ],
)  # fmt: skip
def test_parse_instance_bad_input_says_what_is_wrong(changes, message):
    with pytest.raises(InstanceError) as caught:
        parse_instance(instance(**changes))
    assert str(caught.value) == message


def test_parse_instance_pin_on_a_closed_day_is_an_error():
    data = instance(
        booths=[{"id": "A", "days": [0]}], applications=[{"id": "a", "days": [0, 1], "pinned": "A"}]
    )
    with pytest.raises(InstanceError) as caught:
        parse_instance(data)
    assert str(caught.value) == 'Application "a": pinned booth A is not available on day 1.'


def test_load_instance_not_json_is_an_error():
    with pytest.raises(InstanceError) as caught:
        load_instance("{not json")
    assert str(caught.value).startswith("The instance is not valid JSON:")


def test_result_json_has_the_documented_shape():
    result = allocate(parse_instance(instance()))
    data = json.loads(result_json(result))
    assert list(data) == ["assignments", "unassigned", "seed", "stats"]
    assert data["assignments"][0] | {"reason": "", "reason_en": ""} == {
        "application": "app-17",
        "booth": "A-01",
        "days": [1, 2],
        "code": "preferred",
        "reason": "",
        "reason_en": "",
    }
    assert data["assignments"][0]["reason_en"] == (
        "This booth is in a zone or of a type you preferred. Priority 2, lottery rank 1 of 1."
    )
    assert data["unassigned"] == []
    assert data["seed"] == 42
    assert list(data["stats"]) == ["booth_days", "applications", "levels"]  # no timings: a pure function
    assert (data["stats"]["booth_days"], data["stats"]["applications"]) == (2, 1)
    assert data["stats"]["levels"] == {
        "2": {"placed": 1, "unplaced": 0, "booth_days": 2, "asked_booth_days": 2}
    }


def test_result_reason_is_persian_and_english_for_a_vendor():
    data = instance(
        applications=[
            {"id": "a", "days": [0], "needs": ["accessible"]},
            {"id": "b", "days": [0, 1], "needs": ["water"], "priority": 1},
            {"id": "c", "days": [0, 1], "needs": ["water"], "priority": 1},
        ]
    )
    result = result_data(allocate(parse_instance(data)))
    by_id = {u["application"]: u for u in result["unassigned"]}
    assert by_id["a"]["code"] == "no_booth_with_needs"
    assert (
        by_id["a"]["reason_en"]
        == "No booth at this site has accessible access, which your application needs."
    )
    assert by_id["a"]["reason"] != by_id["a"]["reason_en"]
    assert sorted(by_id) == ["a", "c"] or sorted(by_id) == ["a", "b"]
    loser = by_id.get("b") or by_id["c"]
    assert loser["code"] == "booths_full_on_days"
    assert loser["reason_en"] == (
        "1 booth with water is open on your days, and it was taken. 2 applicants had your priority (1); "
        "your lottery rank among them was 2, and requests for more days are placed first."
    )


def test_parse_instance_pin_on_a_booth_open_on_its_days_is_kept():
    data = instance(
        booths=[{"id": "A", "days": [0, 1]}], applications=[{"id": "a", "days": [1], "pinned": "A"}]
    )
    assert parse_instance(data).applications[0].pinned == "A"


def test_parse_instance_reads_category_groups_and_quotas():
    data = instance(
        applications=[{"id": "a", "days": [0], "category_group": "5"}, {"id": "b", "days": [0]}],
        quotas=[{"group": "5", "max_percent": 40}],
    )
    parsed = parse_instance(data)
    assert [a.category_group for a in parsed.applications] == ["5", ""]
    assert parsed.quotas == (("5", 40),)
    assert parse_instance(instance()).quotas == ()


def test_result_reason_for_a_full_quota_in_persian_and_english():
    # 2 booths × 3 days = 6 booth-days; 40% of them: 2.
    data = instance(
        applications=[
            {"id": "a", "days": [0, 1], "category_group": "5", "priority": 1},
            {"id": "b", "days": [2], "category_group": "5"},
            {"id": "c", "days": [0, 1, 2], "category_group": "1"},
        ],
        quotas=[{"group": "5", "max_percent": 40}],
    )
    result = result_data(allocate(parse_instance(data)))
    assert sorted(a["application"] for a in result["assignments"]) == ["a", "c"]
    [refusal] = result["unassigned"]
    assert (refusal["application"], refusal["code"]) == ("b", "quota_full")
    assert refusal["reason_en"] == (
        "The quota of category group 5 is full: it may hold at most 40 percent of the site's booth-days (2), "
        "2 are taken, and your request needs 1 more. Priority 0, lottery rank 1 of 2."
    )
    assert refusal["reason"].startswith("سهمیهٔ گروه ۵ پر شده است")
    assert "۴۰ درصد" in refusal["reason"]


def test_persian_digits_matches_the_shared_helper():
    from bazaarche.text import to_persian_digits
    from booths.allocation.instance import persian_digits

    text = "Booth 12, ٣٤ — رتبهٔ 19 از 31"
    assert persian_digits(text) == to_persian_digits(text)


def test_canonical_instance_is_sorted_compact_utf8_json_without_the_seed():
    data = {
        "site": "خرم‌آباد",
        "days": ["2027-03-15"],
        "booths": [{"id": "A", "zone": "", "type": "", "features": [], "neighbours": []}],
        "applications": [],
        "seed": 42,
    }
    assert (
        canonical_instance(data)
        == (
            '{"applications":[],"booths":[{"features":[],"id":"A","neighbours":[],"type":"","zone":""}],'
            '"days":["2027-03-15"],"site":"خرم‌آباد"}'
        ).encode()
    )
    assert canonical_instance(data) == canonical_instance({k: data[k] for k in reversed(data) if k != "seed"})
    assert parse_instance(json.loads(canonical_instance(data)), seed=5).seed == 5


def test_reasons_on_the_organisers_board_speak_of_the_application_not_to_the_vendor():
    from django.utils import translation

    from booths.allocation.engine import Placement, Refusal
    from booths.allocation.instance import placement_reason, refusal_reason

    facts = {"booths": 1, "needs": ["water"], "applicants": 2, "priority": 1, "rank": 2}
    full = Refusal("app-1", "booths_full_on_days", facts)
    quota = Refusal(
        "app-2",
        "quota_full",
        {
            "group": "5",
            "percent": 40,
            "limit": 2,
            "used": 2,
            "days": 1,
            "priority": 0,
            "rank": 1,
            "applicants": 2,
        },
    )
    needs = Placement(
        "app-3", "A/A-01", (0,), "needs", {"needs": ["water"], "priority": 2, "rank": 1, "applicants": 3}
    )
    with translation.override("en"):
        assert refusal_reason(full, reader="organiser") == (
            "1 booth with water is open on its days, and it was taken. 2 applicants had its priority (1); "
            "its lottery rank among them was 2, and requests for more days are placed first."
        )
        assert refusal_reason(quota, reader="organiser", group_name="Handicrafts") == (
            "The quota of category group Handicrafts is full: it may hold at most 40 percent of the site's "
            "booth-days (2), 2 are taken, and this application needs 1 more. Priority 0, lottery rank 1 of 2."
        )
        assert placement_reason(needs, reader="organiser") == (
            "This booth has water, which this application needs. Priority 2, lottery rank 1 of 3."
        )
        # The vendor's own words stay theirs (and the result JSON's bytes with them).
        assert (
            placement_reason(needs) == "This booth has water, as you need. Priority 2, lottery rank 1 of 3."
        )
    with translation.override("fa"):
        assert refusal_reason(full, reader="organiser") == (
            "1 غرفه با آب در روزهای این درخواست باز است و به دیگری رسید. 2 متقاضی هم‌اولویت این درخواست "
            "(اولویت 1) بودند؛ رتبهٔ قرعه‌کشی آن در میان آنان 2 بود، و درخواست‌های روزهای بیشتر زودتر جای می‌گیرند."
        )
        assert placement_reason(needs, reader="organiser") == (
            "این غرفه آب دارد که این درخواست به آن نیاز دارد. اولویت 2، رتبهٔ قرعه‌کشی 1 از 3."
        )
