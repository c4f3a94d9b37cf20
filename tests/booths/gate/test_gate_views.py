"""The check-in API, the gate page and organisers' gate keys."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booths.gate.cards import qr_svg
from booths.gate.checkin import authenticate_gate, create_gate_token, revoke_gate_token
from booths.models import Admission, GateToken, Pass
from tests import factories
from tests.booths.gate.test_checkin import confirmed_pass
from tests.vendors.test_profile_views import jpeg
from vendors.models import VendorPhoto
from vendors.photos import prepare_portrait, set_portrait

R = Admission.Result
API = "/api/checkin/"


def post(client, body, key=None, **headers):
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {key}"
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(API, data, content_type="application/json", **headers)


@pytest.fixture
def scene(db):
    site = factories.site(title_fa="بازار خرم‌آباد")  # no digits: the same in either language's digits
    pass_obj = confirmed_pass(site, first_name="زهرا", last_name="کریمی", business_name="گلیم زهرا")
    token, key = create_gate_token(pass_obj.site, "دروازه اصلی")
    return pass_obj, token, key


def test_checkin_api_admits_then_already_admitted(scene):
    pass_obj, token, key = scene
    client = Client(enforce_csrf_checks=True)
    booth = pass_obj.application.assignments.get().booth

    first = post(client, {"code": pass_obj.code, "site": pass_obj.site.slug}, key)
    second = post(client, {"code": pass_obj.code, "site": pass_obj.site.slug}, key)

    assert first.status_code == 200
    body = first.json()
    assert body["result"] == "admitted"
    assert body["holder"] == {
        "kind": "vendor",
        "name": "زهرا کریمی",
        "vendor": "زهرا کریمی",
        "business": "گلیم زهرا",
        "photo": None,
        "portrait": None,
    }
    assert body["booth"] == {
        "code": booth.code,
        "hall": booth.hall.code,
        "hall_name": "سالن یک",
        "hall_names": {"fa": "سالن یک", "en": "Hall one"},
    }
    assert body["site"] == pass_obj.site.slug
    assert body["messages"]["en"] == "Admitted. Welcome!"
    assert body["replayed"] is False
    assert second.json()["result"] == "already_admitted"
    assert second.json()["admitted_at"] == body["scanned_at"]
    assert list(Admission.objects.values_list("gate", flat=True)) == [token.pk, token.pk]


def test_checkin_api_same_idempotency_key_returns_the_first_answer(scene):
    pass_obj, _token, key = scene
    client = Client()
    body = {"code": pass_obj.code, "site": pass_obj.site.slug}

    first = post(client, body, key, HTTP_IDEMPOTENCY_KEY="a1")
    again = post(client, body, key, HTTP_IDEMPOTENCY_KEY="a1")
    by_field = post(client, body | {"idempotency_key": "a1"}, key)
    new = post(client, body, key, HTTP_IDEMPOTENCY_KEY="a2")

    assert [r.json()["result"] for r in (first, again, by_field, new)] == [
        "admitted",
        "admitted",
        "admitted",
        "already_admitted",
    ]
    assert again.json()["replayed"] is True
    assert again.json()["scanned_at"] == first.json()["scanned_at"]
    assert Admission.objects.count() == 2


@pytest.mark.parametrize("authorization", [None, "", "Token", "Token nope", "Basic abc", "Token  "])
def test_checkin_api_without_a_valid_key_is_401(scene, authorization):
    pass_obj, _token, _key = scene
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}

    response = post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="gate"'
    assert response.json()["error"] == "unauthorised"
    assert set(response.json()["messages"]) == {"fa", "en"}
    assert not Admission.objects.exists()


def test_checkin_api_revoked_key_is_401(scene):
    pass_obj, token, key = scene
    revoke_gate_token(token)

    response = post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, key)

    assert response.status_code == 401
    assert not Admission.objects.exists()


def test_checkin_api_key_of_another_site_is_403(scene):
    pass_obj, _token, _key = scene
    other = factories.site(title_fa="بازار بروجرد", title_en="Borujerd bazaar")
    _other_token, other_key = create_gate_token(other, "دروازه")

    response = post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, other_key)

    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "wrong_gate"
    assert body["gate_site"] == other.slug
    assert body["gate_site_title"] == {"fa": "بازار بروجرد", "en": "Borujerd bazaar"}
    assert (
        body["messages"]["en"] == "This gate key is for another site. Scan at the site the key was made for."
    )
    assert not Admission.objects.exists()


def test_checkin_api_pass_of_another_site_is_wrong_site(scene):
    pass_obj, _token, _key = scene
    other = factories.site()
    _other_token, other_key = create_gate_token(other, "دروازه")

    response = post(Client(), {"code": pass_obj.code, "site": other.slug}, other_key)

    assert response.status_code == 200
    assert response.json()["result"] == "wrong_site"


def test_checkin_api_wrong_site_answers_only_the_other_sites_name(scene):
    pass_obj, _token, _key = scene
    other = factories.site(title_fa="بازار بروجرد", title_en="Borujerd bazaar")
    _other_token, other_key = create_gate_token(other, "دروازه")
    body = {"code": pass_obj.code, "site": other.slug}

    first = post(Client(), body, other_key, HTTP_IDEMPOTENCY_KEY="w1")
    again = post(Client(), body, other_key, HTTP_IDEMPOTENCY_KEY="w1")

    for response in (first, again):
        answer = response.json()
        assert answer == {
            "result": "wrong_site",
            "label": "محل اشتباه",
            "message": "این کارت برای مکان دیگری است: بازار خرم‌آباد.",
            "messages": {
                "fa": "این کارت برای مکان دیگری است: بازار خرم‌آباد.",
                "en": "This pass is for another site: بازار خرم‌آباد.",
            },
            "site": other.slug,
            "holder": None,
            "booth": None,
            "scanned_at": first.json()["scanned_at"],
            "admitted_at": None,
            "replayed": response is again,
            "admitted_today": 0,
        }
        text = response.content.decode()
        assert "زهرا" not in text
        assert "گلیم" not in text


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", "[]", "null", '"code"', "{}", '{"code": 5, "site": "x"}', '{"code": "X"}'],
)
def test_checkin_api_bad_request_is_400_with_both_languages(scene, body):
    _pass_obj, _token, key = scene

    response = post(Client(), body, key)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert set(response.json()["messages"]) == {"fa", "en"}
    assert not Admission.objects.exists()


def test_checkin_api_overlong_idempotency_key_is_400(scene):
    pass_obj, _token, key = scene

    response = post(
        Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, key, HTTP_IDEMPOTENCY_KEY="k" * 101
    )

    assert response.status_code == 400
    assert not Admission.objects.exists()


def test_checkin_api_get_is_405(scene):
    response = Client().get(API)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_checkin_api_invalid_code_is_recorded(scene):
    pass_obj, token, key = scene

    response = post(Client(), {"code": "hello", "site": pass_obj.site.slug}, key)

    assert response.json()["result"] == "invalid"
    assert response.json()["holder"] is None
    assert response.json()["booth"] is None
    admission = Admission.objects.get()
    assert (admission.result, admission.gate, admission.code, admission.pass_obj) == (
        R.INVALID,
        token,
        "hello",
        None,
    )


def test_checkin_api_query_count_is_small(scene):
    pass_obj, _token, key = scene
    client = Client()

    with CaptureQueriesContext(connection) as queries:
        post(client, {"code": pass_obj.code, "site": pass_obj.site.slug}, key, HTTP_IDEMPOTENCY_KEY="q")
    # token, pass (with booth, earlier admission and photos), insert, the day's count; the test's
    # transaction adds a savepoint
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 4


def test_checkin_api_counts_the_sites_admissions_today(scene):
    pass_obj, _token, key = scene
    site = pass_obj.site
    second = confirmed_pass(site)
    elsewhere = confirmed_pass()
    _other_token, other_key = create_gate_token(elsewhere.site, "دروازه")
    post(Client(), {"code": elsewhere.code, "site": elsewhere.site.slug}, other_key)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Admission.objects.create(
        site=site, pass_obj=second, result=R.ADMITTED, date=yesterday.date(), scanned_at=yesterday
    )

    counts = [
        post(Client(), {"code": code, "site": site.slug}, key).json()["admitted_today"]
        for code in (pass_obj.code, pass_obj.code, "hello", second.code)
    ]
    replayed = [
        post(Client(), {"code": pass_obj.code, "site": site.slug}, key, HTTP_IDEMPOTENCY_KEY="r")
        for _ in range(2)
    ]

    assert counts == [1, 1, 1, 2]
    assert [r.json()["admitted_today"] for r in replayed] == [2, 2]
    gate = Client().get("/api/gate/", HTTP_AUTHORIZATION=f"Token {key}").json()
    assert gate["admitted_today"] == 2


def test_gate_api_says_which_site(scene):
    pass_obj, _token, key = scene

    response = Client().get("/api/gate/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.json() == {
        "gate": "دروازه اصلی",
        "site": pass_obj.site.slug,
        "site_title": {"fa": "بازار خرم‌آباد", "en": "بازار خرم‌آباد"},
        "admitted_today": 0,
    }
    assert Client().get("/api/gate/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


@pytest.mark.parametrize("url", ["/gate/", "/en/gate/"])
def test_gate_page_allows_webassembly_only_there(client, db, url):
    response = client.get(url)
    other = client.get("/")

    assert response.status_code == 200
    assert "'wasm-unsafe-eval'" in response["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" not in other["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"].replace("'wasm-unsafe-eval'", "")
    assert response.context["strings"]["result_admitted"] == (
        "Admitted" if url.startswith("/en/") else "ورود مجاز"
    )


# --- organisers' gate keys ------------------------------------------------------------------------


def test_gate_tokens_page_creates_a_key_shown_once(client, db):
    organiser = factories.county_organiser()
    site = factories.site()
    client.force_login(organiser)
    url = f"/organiser/sites/{site.slug}/gate/"

    response = client.post(url, {"name": "  دروازه   شمالی "})
    assert response.status_code == 302
    shown = client.get(url)
    again = client.get(url)

    token = GateToken.objects.get()
    key = shown.context["new_key"]["key"]
    assert token.name == "دروازه شمالی"
    assert token.created_by == organiser
    assert authenticate_gate(key) == token
    assert key in shown.content.decode()
    assert again.context["new_key"] is None
    assert key not in again.content.decode()


def test_gate_tokens_page_refuses_an_empty_name(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()

    response = client.post(f"/organiser/sites/{site.slug}/gate/", {"name": "   "})

    assert response.status_code == 400
    assert not GateToken.objects.exists()


def test_gate_tokens_page_revokes(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()
    token, key = create_gate_token(site, "دروازه")

    response = client.post(f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/")

    assert response.status_code == 302
    assert authenticate_gate(key) is None
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_gate_tokens_of_another_county_do_not_exist(client, db):
    client.force_login(factories.county_organiser("borujerd"))
    site = factories.site()
    token, key = create_gate_token(site, "دروازه")

    assert client.get(f"/organiser/sites/{site.slug}/gate/").status_code == 404
    assert client.post(f"/organiser/sites/{site.slug}/gate/", {"name": "x"}).status_code == 404
    assert client.post(f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/").status_code == 404
    assert authenticate_gate(key) == token
    assert GateToken.objects.count() == 1


def test_gate_tokens_revoke_needs_the_tokens_own_site(client, db):
    client.force_login(factories.county_organiser())
    site, other = factories.site(), factories.site()
    token, key = create_gate_token(other, "دروازه")

    assert client.post(f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/").status_code == 404
    assert authenticate_gate(key) == token


def test_gate_tokens_page_for_a_vendor_or_anonymous(client, db):
    site = factories.site()
    url = f"/organiser/sites/{site.slug}/gate/"

    assert client.get(url).status_code == 302
    client.force_login(factories.user())
    assert client.get(url).status_code == 404


def test_gate_tokens_page_query_count_does_not_grow(client, db, django_assert_num_queries):
    client.force_login(factories.county_organiser())
    site = factories.site()
    create_gate_token(site, "یک")
    url = f"/organiser/sites/{site.slug}/gate/"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(12):
        token, _ = create_gate_token(site, f"دروازه {n}")
        if n % 2:
            revoke_gate_token(token)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["tokens"]) == 13
    assert len(many) == len(one)


def test_organiser_page_links_the_gate_keys(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()

    assert f'href="/organiser/sites/{site.slug}/gate/"' in client.get("/organiser/").content.decode()


def test_gate_tokens_page_puts_the_create_form_before_the_keys(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()
    create_gate_token(site, "دروازه")

    content = client.get(f"/organiser/sites/{site.slug}/gate/").content.decode()

    assert content.index('id="add-key"') < content.index('id="keys"')


def test_gate_tokens_page_links_each_live_key_to_a_confirmation(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()
    live, _key = create_gate_token(site, "دروازه")
    revoked, _key = create_gate_token(site, "دروازه قدیمی")
    revoke_gate_token(revoked)

    content = client.get(f"/organiser/sites/{site.slug}/gate/").content.decode()

    for token in (live, revoked):
        assert f'action="/organiser/sites/{site.slug}/gate/{token.pk}/revoke/"' not in content
    assert f'href="/organiser/sites/{site.slug}/gate/{live.pk}/revoke/"' in content
    assert f'href="/organiser/sites/{site.slug}/gate/{revoked.pk}/revoke/"' not in content


def test_gate_token_revoke_asks_before_it_revokes(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()
    token, key = create_gate_token(site, "دروازه شمالی")
    url = f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/"

    asked = client.get(url)

    assert asked.status_code == 200
    assert asked.context["token"] == token
    assert authenticate_gate(key) == token
    content = asked.content.decode()
    assert f'<form method="post" action="{url}"' in content
    assert "دروازه شمالی" in content
    assert f'href="/organiser/sites/{site.slug}/gate/"' in content  # "no, keep it"
    response = client.post(url)
    assert response.status_code == 302
    assert authenticate_gate(key) is None


def test_gate_token_revoke_of_a_revoked_key_goes_back_to_the_keys(client, db):
    client.force_login(factories.county_organiser())
    site = factories.site()
    token, _key = create_gate_token(site, "دروازه")
    revoke_gate_token(token)

    response = client.get(f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == f"/organiser/sites/{site.slug}/gate/"


def test_gate_token_revoke_confirmation_of_another_county_does_not_exist(client, db):
    client.force_login(factories.county_organiser("borujerd"))
    site = factories.site()
    token, _key = create_gate_token(site, "دروازه")

    assert client.get(f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/").status_code == 404


@pytest.mark.parametrize(("prefix", "language"), [("", "fa"), ("/en", "en")])
def test_gate_tokens_page_shows_a_new_key_as_qr_and_sign_in_link_once(client, db, prefix, language):
    client.force_login(factories.county_organiser())
    site = factories.site()
    url = f"{prefix}/organiser/sites/{site.slug}/gate/"

    client.post(url, {"name": "دروازه شمالی"})
    shown = client.get(url)
    again = client.get(url)

    key = shown.context["new_key"]["key"]
    link = f"http://testserver{prefix}/gate/#key={key}"
    content = shown.content.decode()
    assert shown.context["new_key"]["link"] == link
    assert f'<a href="{link}"' in content
    assert qr_svg(link) in content
    assert "no-store" in shown["Cache-Control"]
    assert again.context["new_key"] is None
    assert key not in again.content.decode()
    assert "#key=" not in again.content.decode()


# --- the portrait at the gate ---------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_checkin_api_gives_the_holders_portrait_and_keeps_the_product_photo_apart(scene, media):
    pass_obj, _token, key = scene
    vendor = pass_obj.application.vendor
    VendorPhoto.objects.create(vendor=vendor, image="vendors/1.jpg")
    set_portrait(vendor, prepare_portrait(jpeg()))

    holder = post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, key).json()["holder"]

    assert holder["portrait"] == f"/api/gate/portraits/{pass_obj.pk}/"
    assert holder["photo"] == "/media/vendors/1.jpg"  # as before: a product photo, never the person


def test_checkin_api_without_a_portrait_gives_none(scene, media):
    pass_obj, _token, key = scene
    VendorPhoto.objects.create(vendor=pass_obj.application.vendor, image="vendors/1.jpg")

    holder = post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, key).json()["holder"]

    assert holder["portrait"] is None


def test_checkin_api_helper_pass_never_shows_the_vendors_portrait(scene, media):
    pass_obj, _token, key = scene
    set_portrait(pass_obj.application.vendor, prepare_portrait(jpeg()))
    Pass.objects.filter(pk=pass_obj.pk).update(holder=Pass.Holder.HELPER, holder_name="مریم کریمی")

    holder = post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, key).json()["holder"]

    assert (holder["kind"], holder["name"], holder["portrait"]) == ("helper", "مریم کریمی", None)
    assert (
        Client().get(f"/api/gate/portraits/{pass_obj.pk}/", HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 404
    )


def test_gate_portrait_only_for_the_sites_gate_and_organisers(scene, media):
    pass_obj, token, key = scene
    site = pass_obj.site
    vendor = pass_obj.application.vendor
    set_portrait(vendor, prepare_portrait(jpeg(colour=(10, 200, 40))))
    with vendor.portrait.open("rb") as portrait:
        stored = portrait.read()
    url = f"/api/gate/portraits/{pass_obj.pk}/"
    other_site = factories.site()
    _other_token, other_key = create_gate_token(other_site, "دروازه")

    def as_user(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client.get(url)

    def as_gate(gate_key):
        return Client().get(url, HTTP_AUTHORIZATION=f"Token {gate_key}")

    unscanned = as_gate(key)
    for gate_key, code_site in ((key, site), (other_key, other_site)):
        post(Client(), {"code": pass_obj.code, "site": code_site.slug}, gate_key)
    refused = {
        "anonymous": as_user(None),
        "the vendor of another business": as_user(factories.vendor(user=factories.user()).user),
        "another site's gate": as_gate(other_key),
        "another county's organiser": as_user(factories.county_organiser("borujerd")),
        "a gate that has not scanned the pass": unscanned,
    }
    gate = as_gate(key)
    organiser = as_user(factories.county_organiser())
    revoke_gate_token(token)

    assert {who: r.status_code for who, r in refused.items()} == dict.fromkeys(refused, 404)
    assert all(r.json()["error"] == "not_found" for r in refused.values())
    assert as_gate(key).status_code == 404  # revoked
    for response in (gate, organiser):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == stored


def test_gate_portrait_without_one_is_404(scene, media):
    pass_obj, _token, key = scene
    post(Client(), {"code": pass_obj.code, "site": pass_obj.site.slug}, key)

    response = Client().get(f"/api/gate/portraits/{pass_obj.pk}/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 404


# --- the command ----------------------------------------------------------------------------------


def test_gate_token_command_prints_a_working_key(db):
    site = factories.site()
    out, err = StringIO(), StringIO()

    call_command("gate_token", site.slug, "--name", "دروازه جنوبی", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = authenticate_gate(key)
    assert (token.site, token.name) == (site, "دروازه جنوبی")
    assert key not in err.getvalue()


def test_gate_token_command_names_by_default_and_refuses_unknown_sites(db):
    site = factories.site()
    call_command("gate_token", site.slug, stdout=StringIO(), stderr=StringIO())
    assert GateToken.objects.get().name == "gate 1"
    with pytest.raises(CommandError) as error:
        call_command("gate_token", "nowhere", stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 2
