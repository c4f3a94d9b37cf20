"""Check-in at the gate: one admission per pass and day, every scan recorded, nothing forged admits."""

import datetime
import string
import threading

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths.gate.checkin import GateRefused, authenticate_gate, check_in, create_gate_token, revoke_gate_token
from booths.gate.passes import ALPHABET, CODE_LENGTH, issue_passes, reissue
from booths.models import Admission, Application, Assignment, Pass
from tests import factories

R = Admission.Result


def confirmed_pass(site=None, days=None, **vendor_fields):
    """A vendor's live pass for a booth at `site` (today's, by default) on `days` (today only by default)."""
    site = site or factories.site()
    days = days if days is not None else [timezone.localdate()]
    booth = factories.booth(factories.hall(site, name_fa="سالن یک", name_en="Hall one"))
    application = factories.application(
        site,
        factories.vendor(**vendor_fields),
        status=Application.Status.ACCEPTED,
        days=[d.isoformat() for d in days],
    )
    Assignment.objects.bulk_create(Assignment(booth=booth, date=d, application=application) for d in days)
    return issue_passes(application)[0]


def gate_for(site):
    return create_gate_token(site, "دروازه اصلی")[0]


def changed_one_character(code: str, position: int) -> str:
    other = ALPHABET[(ALPHABET.index(code[position]) + 1) % len(ALPHABET)]
    return code[:position] + other + code[position + 1 :]


def test_check_in_admits_once_then_already_admitted(db):
    pass_obj = confirmed_pass(first_name="زهرا", last_name="کریمی", business_name="گلیم زهرا")
    gate = gate_for(pass_obj.site)

    first = check_in(gate, pass_obj.code, pass_obj.site.slug)
    second = check_in(gate, pass_obj.code, pass_obj.site.slug)

    assert first.result == R.ADMITTED
    assert first.vendor_name == "زهرا کریمی"
    assert first.business_name == "گلیم زهرا"
    assert first.booth_code == Assignment.objects.get().booth.code
    assert first.hall_name == "سالن یک"
    assert first.messages["en"] == "Admitted. Welcome!"
    assert second.result == R.ALREADY_ADMITTED
    assert second.admitted_at == first.scanned_at
    assert second.messages["en"].startswith("Already admitted today at ")
    assert list(Admission.objects.order_by("scanned_at", "pk").values_list("result", flat=True)) == [
        R.ADMITTED,
        R.ALREADY_ADMITTED,
    ]
    assert Admission.objects.filter(gate=gate, pass_obj=pass_obj, site=pass_obj.site).count() == 2


def test_check_in_accepts_the_code_typed_loosely(db):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)
    typed = "-".join(pass_obj.code[i : i + 5] for i in range(0, CODE_LENGTH, 5)).lower()

    assert check_in(gate, f"  {typed} ", pass_obj.site.slug).result == R.ADMITTED


def test_check_in_admits_again_the_next_day(db):
    today = timezone.localdate()
    pass_obj = confirmed_pass(days=[today, today + datetime.timedelta(days=1)])
    gate = gate_for(pass_obj.site)
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    assert check_in(gate, pass_obj.code, pass_obj.site.slug).result == R.ADMITTED
    assert check_in(gate, pass_obj.code, pass_obj.site.slug, now=tomorrow).result == R.ADMITTED
    assert check_in(gate, pass_obj.code, pass_obj.site.slug, now=tomorrow).result == R.ALREADY_ADMITTED


def test_check_in_wrong_site_for_a_pass_of_another_site(db):
    pass_obj = confirmed_pass(factories.site(title_fa="بازار خرم‌آباد"))
    other = factories.site(title_fa="بازار بروجرد", title_en="Borujerd bazaar")
    gate = gate_for(other)

    outcome = check_in(gate, pass_obj.code, other.slug)

    assert outcome.result == R.WRONG_SITE
    assert outcome.messages["fa"] == "این کارت برای مکان دیگری است: بازار خرم‌آباد."
    assert Admission.objects.get().site == other


def wrong_site_scene():
    """A pass of one site, with a photo, a booth today and a helper's name, and a gate of another site."""
    from vendors.models import VendorPhoto

    site = factories.site(title_fa="بازار خرم‌آباد")
    pass_obj = confirmed_pass(site, first_name="زهرا", last_name="کریمی", business_name="گلیم زهرا")
    VendorPhoto.objects.create(vendor=pass_obj.application.vendor, image="vendors/1.jpg")
    Pass.objects.filter(pk=pass_obj.pk).update(holder=Pass.Holder.HELPER, holder_name="مریم کریمی")
    other = factories.site(title_fa="بازار بروجرد", title_en="Borujerd bazaar")
    return pass_obj, gate_for(other)


def test_check_in_wrong_site_tells_nothing_of_the_holder(db):
    pass_obj, gate = wrong_site_scene()

    outcome = check_in(gate, pass_obj.code, gate.site.slug)

    assert outcome.result == R.WRONG_SITE
    about_holder = (
        outcome.holder,
        outcome.holder_name,
        outcome.vendor_name,
        outcome.business_name,
        outcome.photo_url,
        outcome.booth_code,
        outcome.hall_code,
        outcome.hall_names,
    )
    assert about_holder == ("", "", "", "", "", "", "", ("", ""))
    body = outcome.as_json()
    assert (body["holder"], body["booth"]) == (None, None)
    assert body["messages"] == {
        "fa": "این کارت برای مکان دیگری است: بازار خرم‌آباد.",
        "en": "This pass is for another site: بازار خرم‌آباد.",
    }


def test_check_in_wrong_site_replayed_by_its_key_tells_nothing_of_the_holder(db):
    pass_obj, gate = wrong_site_scene()

    first = check_in(gate, pass_obj.code, gate.site.slug, idempotency_key="k1")
    again = check_in(gate, pass_obj.code, gate.site.slug, idempotency_key="k1")

    assert again.replayed is True
    assert again.as_json() | {"replayed": False} == first.as_json()
    assert (again.as_json()["holder"], again.as_json()["booth"]) == (None, None)
    assert Admission.objects.count() == 1


def test_check_in_revoked_pass_of_another_site_is_wrong_site(db):
    pass_obj, gate = wrong_site_scene()
    reissue(pass_obj)

    outcome = check_in(gate, pass_obj.code, gate.site.slug)

    # Whether a pass was revoked is its own site's business, and so is its holder.
    assert outcome.result == R.WRONG_SITE
    assert (outcome.as_json()["holder"], outcome.vendor_name) == (None, "")


def test_check_in_wrong_day_outside_the_assignment(db):
    today = timezone.localdate()
    pass_obj = confirmed_pass(days=[today + datetime.timedelta(days=2)])
    gate = gate_for(pass_obj.site)

    assert check_in(gate, pass_obj.code, pass_obj.site.slug).result == R.WRONG_DAY
    later = timezone.now() + datetime.timedelta(days=2)
    assert check_in(gate, pass_obj.code, pass_obj.site.slug, now=later).result == R.ADMITTED


def test_check_in_revoked_after_reissue_and_the_new_code_admits(db):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)
    new = reissue(pass_obj)

    assert check_in(gate, pass_obj.code, pass_obj.site.slug).result == R.REVOKED
    assert check_in(gate, new.code, pass_obj.site.slug).result == R.ADMITTED


def test_check_in_invalid_for_one_changed_character(db):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)

    for position in range(CODE_LENGTH):
        outcome = check_in(gate, changed_one_character(pass_obj.code, position), pass_obj.site.slug)
        assert outcome.result == R.INVALID
        assert outcome.vendor_name == ""
    assert Admission.objects.filter(result=R.INVALID).count() == CODE_LENGTH
    assert not Admission.objects.filter(result=R.ADMITTED).exists()


@pytest.mark.parametrize(
    "text", ["", "hello", "A" * 500, "0" * CODE_LENGTH, "https://example.com/?code=x", "\x00"]
)
def test_check_in_invalid_for_junk_is_recorded(db, text):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)

    assert check_in(gate, text, pass_obj.site.slug).result == R.INVALID
    assert Admission.objects.get().code == text.replace("\x00", "")[:200]


def test_check_in_refuses_a_gate_of_another_site(db):
    pass_obj = confirmed_pass()
    gate = gate_for(factories.site())

    with pytest.raises(GateRefused):
        check_in(gate, pass_obj.code, pass_obj.site.slug)
    assert not Admission.objects.exists()


def test_check_in_refuses_a_revoked_gate(db):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)
    revoke_gate_token(gate)
    gate.refresh_from_db()

    with pytest.raises(GateRefused) as refused:
        check_in(gate, pass_obj.code, pass_obj.site.slug)
    assert refused.value.code == "revoked_gate"
    assert not Admission.objects.exists()


def test_check_in_same_idempotency_key_returns_the_first_answer(db):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)

    first = check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key="scan-1")
    again = check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key="scan-1")
    other = check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key="scan-2")

    assert (first.result, again.result, other.result) == (R.ADMITTED, R.ADMITTED, R.ALREADY_ADMITTED)
    assert again.replayed is True
    assert again.booth_code == first.booth_code
    assert again.scanned_at == first.scanned_at
    assert Admission.objects.count() == 2


def test_check_in_idempotency_keys_are_per_gate(db):
    pass_obj = confirmed_pass()
    gate, other_gate = gate_for(pass_obj.site), gate_for(pass_obj.site)

    assert check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key="k").result == R.ADMITTED
    assert (
        check_in(other_gate, pass_obj.code, pass_obj.site.slug, idempotency_key="k").result
        == R.ALREADY_ADMITTED
    )


def test_gate_token_key_is_hashed_and_revocable(db):
    site = factories.site()
    token, key = create_gate_token(site, "دروازه")

    assert key not in token.key_hash
    assert token.key_prefix == key[:6]
    assert authenticate_gate(key) == token
    assert authenticate_gate(key + "x") is None
    assert authenticate_gate("") is None
    assert revoke_gate_token(token) is True
    assert revoke_gate_token(token) is False
    assert authenticate_gate(key) is None


def _shared_pass_and_gate():
    """One pass and gate for all of a hypothesis test's examples (they share the test's transaction)."""
    pass_obj = Pass.objects.select_related("site").first() or confirmed_pass()
    return pass_obj, pass_obj.site.gate_tokens.first() or gate_for(pass_obj.site)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH),
        st.text(alphabet=string.ascii_letters + string.digits + "-_ ", max_size=40),
        st.text(max_size=60),
    )
)
def test_check_in_random_codes_never_admit(db, text):
    pass_obj, gate = _shared_pass_and_gate()
    outcome = check_in(gate, text, pass_obj.site.slug)
    assert outcome.result == R.INVALID


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_check_in_altered_codes_never_admit(db, data):
    pass_obj, gate = _shared_pass_and_gate()
    code = pass_obj.code
    positions = data.draw(st.sets(st.integers(0, CODE_LENGTH - 1), min_size=1, max_size=4))
    altered = list(code)
    for position in positions:
        altered[position] = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    swap = data.draw(st.booleans())
    text = "".join(altered)
    if swap:  # a transposition of two neighbours, the commonest typing slip
        i = data.draw(st.integers(0, CODE_LENGTH - 2))
        text = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if text == code:
            text = "".join(altered)
    truncated = data.draw(st.sampled_from([text, code[:-1], code + data.draw(st.sampled_from(ALPHABET))]))
    assert check_in(gate, truncated, pass_obj.site.slug).result == R.INVALID


@pytest.mark.postgres
def test_check_in_twenty_parallel_scans_of_one_pass_admit_exactly_once(reference_data):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)
    barrier = threading.Barrier(20)
    results = []
    errors = []

    def scan(n):
        try:
            barrier.wait()
            results.append(
                check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key=f"scan-{n}").result
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [R.ADMITTED] + [R.ALREADY_ADMITTED] * 19
    assert Admission.objects.filter(pass_obj=pass_obj, result=R.ADMITTED).count() == 1
    assert Admission.objects.filter(pass_obj=pass_obj).count() == 20


@pytest.mark.postgres
def test_check_in_twenty_parallel_retries_with_one_key_record_one_scan(reference_data):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)
    barrier = threading.Barrier(20)
    results = []
    errors = []

    def scan():
        try:
            barrier.wait()
            results.append(check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key="same").result)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [R.ADMITTED] * 20
    assert Admission.objects.filter(pass_obj=pass_obj).count() == 1


def test_check_in_shows_the_vendors_first_photo_thumbnail(db):
    from vendors.models import VendorPhoto

    pass_obj = confirmed_pass()
    vendor = pass_obj.application.vendor
    VendorPhoto.objects.create(vendor=vendor, image="vendors/2.jpg", thumbnail="vendors/2-t.jpg", position=2)
    VendorPhoto.objects.create(vendor=vendor, image="vendors/1.jpg", thumbnail="vendors/1-t.jpg", position=1)
    gate = gate_for(pass_obj.site)

    assert check_in(gate, pass_obj.code, pass_obj.site.slug).photo_url == "/media/vendors/1-t.jpg"
    again = check_in(gate, pass_obj.code, pass_obj.site.slug, idempotency_key="p")
    assert again.photo_url == "/media/vendors/1-t.jpg"


def test_check_in_photo_falls_back_to_the_image_without_a_thumbnail(db):
    from vendors.models import VendorPhoto

    pass_obj = confirmed_pass()
    VendorPhoto.objects.create(vendor=pass_obj.application.vendor, image="vendors/1.jpg")
    gate = gate_for(pass_obj.site)

    assert check_in(gate, pass_obj.code, pass_obj.site.slug).photo_url == "/media/vendors/1.jpg"


def test_check_in_counts_the_sites_admissions_of_the_day(db):
    pass_obj = confirmed_pass()
    second = confirmed_pass(pass_obj.site)
    gate = gate_for(pass_obj.site)
    slug = pass_obj.site.slug
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    counts = [
        check_in(gate, code, slug).admitted_today
        for code in (pass_obj.code, pass_obj.code, second.code, "nothing")
    ]

    assert counts == [1, 1, 2, 2]
    assert check_in(gate, pass_obj.code, slug, now=tomorrow).admitted_today == 0  # not valid tomorrow
    assert check_in(gate, pass_obj.code, slug, idempotency_key="k").as_json()["admitted_today"] == 2


def test_check_in_gives_the_portrait_only_for_the_vendors_own_pass(db, settings, tmp_path):
    from tests.vendors.test_profile_views import jpeg
    from vendors.models import VendorPhoto
    from vendors.photos import prepare_portrait, set_portrait

    settings.MEDIA_ROOT = tmp_path
    pass_obj = confirmed_pass()
    vendor = pass_obj.application.vendor
    VendorPhoto.objects.create(vendor=vendor, image="vendors/1.jpg")
    gate = gate_for(pass_obj.site)
    slug = pass_obj.site.slug

    without = check_in(gate, pass_obj.code, slug)
    set_portrait(vendor, prepare_portrait(jpeg()))
    with_portrait = check_in(gate, pass_obj.code, slug)
    Pass.objects.filter(pk=pass_obj.pk).update(holder=Pass.Holder.HELPER, holder_name="مریم کریمی")
    helper = check_in(gate, pass_obj.code, slug)

    assert [o.portrait_url for o in (without, with_portrait, helper)] == [
        "",
        f"/api/gate/portraits/{pass_obj.pk}/",
        "",
    ]
    assert with_portrait.photo_url == "/media/vendors/1.jpg"


def test_an_unnamed_helper_is_not_given_the_vendors_name(db):
    pass_obj = confirmed_pass()
    gate = gate_for(pass_obj.site)
    Pass.objects.filter(pk=pass_obj.pk).update(holder=Pass.Holder.HELPER, holder_name="")
    holder = check_in(gate, pass_obj.code, pass_obj.site.slug).as_json()["holder"]
    vendor = pass_obj.application.vendor
    assert (holder["kind"], holder["name"]) == ("helper", "")
    assert holder["vendor"] == f"{vendor.first_name} {vendor.last_name}".strip()
