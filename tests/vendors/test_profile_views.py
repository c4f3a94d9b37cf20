"""A vendor's own profile page (details, photos) and a support company's page: who may see them, what they do."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from tests import factories
from vendors.models import Vendor, VendorPhoto
from vendors.photos import add_photos, prepare_photo

NOT_AN_IMAGE = "این پرونده تصویر نیست. لطفاً عکسی با قالب JPG،\u200f PNG یا WebP بفرستید."


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def jpeg(name: str = "photo.jpg", size=(120, 90), colour=(180, 90, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def add_photo(vendor: Vendor, caption: str = "") -> VendorPhoto:
    return add_photos(vendor, [prepare_photo(jpeg())], caption)[0]


def url(vendor: Vendor) -> str:
    return f"/me/business/{vendor.pk}/"


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def owner(db):
    return factories.user()


@pytest.fixture
def vendor(owner) -> Vendor:
    return factories.vendor(
        user=owner,
        business_name="گلیم زهرا",
        national_id="0499370899",
        mobile="09161234567",
        address="خرم‌آباد، خیابان ۱۲ فروردین",
    )


# --- who may see the profile ---------------------------------------------------------------------


def test_profile_shows_the_owner_registry_and_private_data(client: Client, vendor, owner, media):
    client.force_login(owner)
    response = client.get(url(vendor))
    content = text_of(response)
    assert response.status_code == 200
    assert response.context["vendor"] == vendor
    assert "<h1>گلیم زهرا</h1>" in content
    assert "۰۴۹۹۳۷۰۸۹۹" in content  # national ID, in Persian digits
    assert "۰۹۱۶۱۲۳۴۵۶۷" in content
    assert "هرگز در صفحه‌های عمومی نمایش داده نمی‌شود." in content
    assert "مجوز معتبر" in content


@pytest.mark.parametrize(
    "who",
    [
        "another vendor",
        "company manager of the vendor",
        "provincial organiser",
        "county organiser",
        "no role",
    ],
)
def test_profile_is_404_for_anyone_but_the_vendor(client: Client, vendor, media, who):
    if who == "another vendor":
        user = factories.vendor(user=factories.user()).user
    elif who == "company manager of the vendor":
        company = factories.support_company()
        Vendor.objects.filter(pk=vendor.pk).update(support_company=company)
        user = factories.user()
        company.managers.add(user)
    elif who == "provincial organiser":
        user = factories.provincial_organiser()
    elif who == "county organiser":
        user = factories.county_organiser("khorramabad")
    else:
        user = factories.user()
    photo = add_photo(vendor)
    client.force_login(user)

    assert client.get(url(vendor)).status_code == 404
    assert client.post(url(vendor), {"action": "details", "business_name": "دزدیده"}).status_code == 404
    assert client.get(f"{url(vendor)}photos/{photo.pk}/delete/").status_code == 404
    assert client.post(f"{url(vendor)}photos/{photo.pk}/delete/").status_code == 404
    vendor.refresh_from_db()
    assert vendor.business_name == "گلیم زهرا"
    assert VendorPhoto.objects.count() == 1


def test_profile_of_a_missing_vendor_is_the_same_404(client: Client, owner, db):
    client.force_login(owner)
    assert client.get("/me/business/999999/").status_code == 404


def test_profile_sends_anonymous_visitors_to_sign_in(client: Client, vendor):
    response = client.get(url(vendor))
    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={url(vendor)}"


# --- details ---------------------------------------------------------------------------------------


def test_profile_saves_normalised_business_name_and_description(client: Client, vendor, owner, media):
    client.force_login(owner)
    response = client.post(
        url(vendor),
        {
            "action": "details",
            "business_name": "  گليم   دستباف\u200f زهرا ۱۲ ",
            "description": "گلیم پشمی\r\n\r\n\r\nرنگ طبيعي  ۳ رنگ",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(vendor)
    vendor.refresh_from_db()
    assert vendor.business_name == "گلیم دستباف زهرا 12"
    assert vendor.description == "گلیم پشمی\n\nرنگ طبیعی 3 رنگ"


@pytest.mark.parametrize(
    "name,error",
    [
        ("", "لطفاً نام کسب‌وکار خود را بنویسید."),
        (" \u200c ", "لطفاً نام کسب‌وکار خود را بنویسید."),
        ("ب", "نام کسب‌وکار بسیار کوتاه است؛ لطفاً دست‌کم ۲ حرف بنویسید."),
        ("ب" * 201, "لطفاً این را در حداکثر ۲۰۰ نویسه بنویسید؛ اکنون ۲۰۱ نویسه است."),
    ],
    ids=["empty", "invisible", "short", "long"],
)
def test_profile_refuses_a_bad_business_name_in_persian(client: Client, vendor, owner, media, name, error):
    client.force_login(owner)
    response = client.post(url(vendor), {"action": "details", "business_name": name, "description": ""})
    assert response.status_code == 200
    assert response.context["details_form"].errors == {"business_name": [error]}
    assert f'<div class="error" id="id_business_name_error" role="alert"><p>{error}</p></div>' in text_of(
        response
    )
    # The heading keeps the saved name, not the refused one.
    assert "<h1>گلیم زهرا</h1>" in text_of(response)
    vendor.refresh_from_db()
    assert vendor.business_name == "گلیم زهرا"


def test_profile_refuses_a_description_over_the_limit(client: Client, vendor, owner, media):
    client.force_login(owner)
    response = client.post(
        url(vendor), {"action": "details", "business_name": "گلیم", "description": "ا" * 2001}
    )
    assert response.context["details_form"].errors == {
        "description": ["لطفاً این را در حداکثر ۲۰۰۰ نویسه بنویسید؛ اکنون ۲۰۰۱ نویسه است."]
    }
    vendor.refresh_from_db()
    assert vendor.description == ""


# --- photos ------------------------------------------------------------------------------------------


def test_profile_upload_stores_several_photos_at_once(client: Client, vendor, owner, media):
    client.force_login(owner)
    response = client.post(
        url(vendor),
        {"action": "photos", "photos": [jpeg("a.jpg"), jpeg("b.png")], "caption": "گلیم  پشمي"},
    )
    assert response.status_code == 302
    photos = list(vendor.photos.all())
    assert [(p.caption, p.position) for p in photos] == [("گلیم پشمی", 0), ("گلیم پشمی", 1)]
    assert stored_files(media) == sorted(name for p in photos for name in (p.image.name, p.thumbnail.name))
    page = text_of(client.get(url(vendor)))
    assert "۲ عکس افزوده شد." in page
    assert page.count('<li class="photo">') == 2
    for photo in photos:
        assert f'src="/media/{photo.thumbnail.name}"' in page


def test_profile_upload_with_htmx_answers_with_the_photo_grid_only(client: Client, vendor, owner, media):
    client.force_login(owner)
    response = client.post(
        url(vendor), {"action": "photos", "photos": [jpeg()]}, headers={"HX-Request": "true"}
    )
    content = text_of(response)
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="panel" id="photos"')
    assert "<html" not in content
    assert content.count('<li class="photo">') == 1
    assert '<p class="notice" role="status">۱ عکس افزوده شد.</p>' in content


def test_profile_upload_of_a_non_image_shows_why_and_stores_nothing(client: Client, vendor, owner, media):
    add_photo(vendor)
    before = stored_files(media)
    client.force_login(owner)
    text_file = SimpleUploadedFile("photo.jpg", "این یک عکس نیست".encode(), content_type="image/jpeg")
    response = client.post(url(vendor), {"action": "photos", "photos": [jpeg("good.jpg"), text_file]})

    assert response.status_code == 200
    assert response.context["upload_form"].errors == {"photos": [f"photo.jpg: {NOT_AN_IMAGE}"]}
    assert f"photo.jpg: {NOT_AN_IMAGE}" in text_of(response)
    # All or nothing: the good photo sent with it is not kept either.
    assert VendorPhoto.objects.count() == 1
    assert stored_files(media) == before


def test_profile_upload_of_a_pixel_bomb_stores_nothing(client: Client, vendor, owner, media):
    client.force_login(owner)
    # 8000×6000 is over the 40-megapixel limit; a one-bit PNG of it is only a few kilobytes.
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    response = client.post(url(vendor), {"action": "photos", "photos": [bomb]})
    assert response.context["upload_form"].errors["photos"] == [
        "bomb.png: ابعاد عکس بیش از حد بزرگ است (بیش از ۴۰ مگاپیکسل). لطفاً عکس را کوچک‌تر کنید و دوباره بفرستید."
    ]
    assert VendorPhoto.objects.count() == 0
    assert stored_files(media) == []


def test_profile_upload_without_a_file_asks_for_one(client: Client, vendor, owner, media):
    client.force_login(owner)
    response = client.post(url(vendor), {"action": "photos", "caption": "بی‌عکس"})
    assert response.context["upload_form"].errors == {"photos": ["لطفاً دست‌کم یک عکس انتخاب کنید."]}
    assert VendorPhoto.objects.count() == 0


def test_profile_upload_past_the_photo_limit_is_refused(client: Client, vendor, owner, media, settings):
    settings.PHOTOS_PER_VENDOR = 3
    add_photo(vendor)
    add_photo(vendor)
    before = stored_files(media)
    client.force_login(owner)
    response = client.post(url(vendor), {"action": "photos", "photos": [jpeg("a.jpg"), jpeg("b.jpg")]})
    assert response.context["upload_form"].errors == {
        "photos": [
            "هر کسب‌وکار حداکثر ۳ عکس می‌تواند داشته باشد. شما ۲ عکس دارید و فقط ۱ عکس دیگر می‌توانید بیفزایید؛ "
            "لطفاً عکس‌های کمتری انتخاب کنید."
        ]
    }
    assert VendorPhoto.objects.count() == 2
    assert stored_files(media) == before

    assert client.post(url(vendor), {"action": "photos", "photos": [jpeg("a.jpg")]}).status_code == 302
    page = client.get(url(vendor))
    assert 'name="photos"' not in text_of(page)
    assert "به سقف ۳ عکس رسیده‌اید. برای افزودن عکس تازه، یکی را پاک کنید." in text_of(page)
    response = client.post(url(vendor), {"action": "photos", "photos": [jpeg("c.jpg")]})
    assert response.context["upload_form"].errors == {
        "photos": [
            "هر کسب‌وکار حداکثر ۳ عکس می‌تواند داشته باشد و شما اکنون ۳ عکس دارید. "
            "برای افزودن عکس تازه، نخست یکی از عکس‌ها را پاک کنید."
        ]
    }
    assert VendorPhoto.objects.count() == 3


def test_profile_saves_a_caption(client: Client, vendor, owner, media):
    photo = add_photo(vendor)
    client.force_login(owner)
    response = client.post(url(vendor), {"action": "caption", "photo": photo.pk, "caption": " کیف  چرمي "})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "کیف چرمی"


def test_profile_caption_of_another_vendors_photo_is_404(client: Client, vendor, owner, media):
    other_photo = add_photo(factories.vendor(), caption="مال دیگری")
    client.force_login(owner)
    response = client.post(url(vendor), {"action": "caption", "photo": other_photo.pk, "caption": "ربوده"})
    assert response.status_code == 404
    other_photo.refresh_from_db()
    assert other_photo.caption == "مال دیگری"


def test_delete_photo_asks_first_and_deletes_only_on_post(
    client: Client, vendor, owner, media, django_capture_on_commit_callbacks
):
    photo = add_photo(vendor)
    keep = add_photo(vendor)
    client.force_login(owner)
    delete_url = f"{url(vendor)}photos/{photo.pk}/delete/"

    confirmation = client.get(delete_url)
    assert confirmation.status_code == 200
    assert "این عکس پاک شود؟" in text_of(confirmation)
    assert f'<form method="post" action="{delete_url}"' in text_of(confirmation)
    assert VendorPhoto.objects.filter(pk=photo.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == url(vendor)
    assert list(VendorPhoto.objects.all()) == [keep]
    assert stored_files(media) == sorted([keep.image.name, keep.thumbnail.name])


def test_delete_photo_of_another_vendor_through_my_url_is_404(client: Client, vendor, owner, media):
    other_photo = add_photo(factories.vendor())
    client.force_login(owner)
    assert client.post(f"{url(vendor)}photos/{other_photo.pk}/delete/").status_code == 404
    assert VendorPhoto.objects.count() == 1


@pytest.mark.parametrize("n_photos", [1, 6])
def test_profile_query_count_does_not_grow_with_photos(
    client: Client, vendor, owner, media, django_assert_num_queries, n_photos
):
    for _ in range(n_photos):
        add_photo(vendor)
    client.force_login(owner)
    # Session, user, vendor with its registry relations, photos, and the two role checks of the menu.
    with django_assert_num_queries(6):
        response = client.get(url(vendor))
    assert text_of(response).count('<li class="photo">') == n_photos


# --- permit status -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days_left,badge,note",
    [
        (90, "مجوز معتبر", "مجوز شما تا "),
        (12, "مجوز به‌زودی منقضی می‌شود", "مجوز شما ۱۲ روز دیگر، در "),
        (0, "مجوز به‌زودی منقضی می‌شود", "مجوز شما امروز، "),
        (
            -3,
            "مجوز منقضی شده",
            "تا آن را در سامانهٔ مشاغل خانگی تمدید نکنید، درخواست غرفه از شما پذیرفته نمی‌شود",
        ),
    ],
)
def test_profile_explains_the_permit_status(client: Client, owner, media, days_left, badge, note):
    today = timezone.localdate()
    vendor = factories.vendor(
        user=owner,
        permit_issued=today - datetime.timedelta(days=400),
        permit_expires=today + datetime.timedelta(days=days_left),
    )
    client.force_login(owner)
    content = text_of(client.get(url(vendor)))
    assert re.findall(r'<span class="badge (?:good|warn|bad)">([^<]+)</span>', content) == [badge, badge]
    assert note in content


# --- /me/ ------------------------------------------------------------------------------------------


def test_me_links_each_business_to_its_profile_and_warns_of_expiry(client: Client, owner, media):
    today = timezone.localdate()
    expiring = factories.vendor(user=owner, permit_expires=today + datetime.timedelta(days=5))
    fine = factories.vendor(user=owner)
    add_photo(fine)
    client.force_login(owner)
    content = text_of(client.get("/me/"))
    assert f'<a href="/me/business/{expiring.pk}/">' in content
    assert f'<a href="/me/business/{fine.pk}/">' in content
    assert "(۱ عکس)" in content
    assert content.count('<p class="permit-note warn">') == 1


def test_me_links_a_company_manager_to_the_company_page(client: Client, db):
    manager = factories.user()
    company = factories.support_company(name="تعاونی گلیم‌بافان")
    company.managers.add(manager)
    client.force_login(manager)
    assert f'<a href="/company/{company.pk}/">' in text_of(client.get("/me/"))


# --- the company page ------------------------------------------------------------------------------


@pytest.fixture
def company(db):
    return factories.support_company(name="تعاونی گلیم‌بافان")


@pytest.fixture
def manager(company):
    user = factories.user()
    company.managers.add(user)
    return user


def members(company, n: int) -> list[Vendor]:
    return [
        factories.vendor(
            support_company=company, permit_type=Vendor.PermitType.SUPPORT, last_name=f"عضو {i:02d}"
        )
        for i in range(n)
    ]


def test_company_lists_the_members_the_registry_links(client: Client, company, manager):
    today = timezone.localdate()
    member_a, member_b = members(company, 2)
    Vendor.objects.filter(pk=member_b.pk).update(permit_expires=today - datetime.timedelta(days=1))
    factories.vendor(last_name="غیرعضو")
    client.force_login(manager)
    response = client.get(f"/company/{company.pk}/")
    content = text_of(response)
    assert response.status_code == 200
    assert response.context["members"] == [member_a, member_b]
    assert "۲ عضو در سامانه" in content
    assert "غیرعضو" not in content
    assert re.findall(r'<span class="badge (?:good|warn|bad)">([^<]+)</span>', content) == [
        "مجوز معتبر",
        "مجوز منقضی شده",
    ]


@pytest.mark.parametrize(
    "who", ["a member vendor", "another company's manager", "provincial organiser", "no role"]
)
def test_company_is_404_for_anyone_but_its_managers(client: Client, company, manager, who):
    (member,) = members(company, 1)
    if who == "a member vendor":
        user = factories.user()
        Vendor.objects.filter(pk=member.pk).update(user=user)
    elif who == "another company's manager":
        user = factories.user()
        factories.support_company().managers.add(user)
    elif who == "provincial organiser":
        user = factories.provincial_organiser()
    else:
        user = factories.user()
    client.force_login(user)
    assert client.get(f"/company/{company.pk}/").status_code == 404


def test_company_sends_anonymous_visitors_to_sign_in(client: Client, company):
    response = client.get(f"/company/{company.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next=/company/{company.pk}/"


@pytest.mark.parametrize("n_members", [1, 8])
def test_company_query_count_does_not_grow_with_members(
    client: Client, company, manager, django_assert_num_queries, n_members
):
    members(company, n_members)
    client.force_login(manager)
    with django_assert_num_queries(7):
        response = client.get(f"/company/{company.pk}/")
    assert len(response.context["members"]) == n_members


def test_profile_in_english_uses_english_words_and_digits(client: Client, vendor, owner, media):
    add_photo(vendor)
    client.force_login(owner)
    response = client.get(f"/en{url(vendor)}")
    content = text_of(response)
    assert response.status_code == 200
    assert '<h2 id="private-heading">Private details</h2>' in content
    assert '<span class="badge good">Permit valid</span>' in content
    assert "0499370899" in content
    assert '<p class="muted">1 of 12</p>' in content


def test_profile_caption_too_long_with_htmx_answers_the_grid_with_the_error(
    client: Client, vendor, owner, media
):
    photo = add_photo(vendor, caption="کیف")
    client.force_login(owner)
    response = client.post(
        url(vendor),
        {"action": "caption", "photo": photo.pk, "caption": "ک" * 201},
        headers={"HX-Request": "true"},
    )
    content = text_of(response)
    assert response.status_code == 200
    assert "<html" not in content
    assert "<details open>" in content
    assert (
        '<span class="error">لطفاً این را در حداکثر ۲۰۰ نویسه بنویسید؛ اکنون ۲۰۱ نویسه است.</span>' in content
    )
    photo.refresh_from_db()
    assert photo.caption == "کیف"


@pytest.mark.parametrize("photo_id", ["", "abc", "۱", "-1", "²", "1" * 5000, "9223372036854775808"])
def test_profile_caption_with_a_malformed_photo_id_is_404(client: Client, vendor, owner, media, photo_id):
    client.force_login(owner)
    response = client.post(url(vendor), {"action": "caption", "photo": photo_id, "caption": "x"})
    assert response.status_code == 404


def test_profile_caption_digits_follow_the_page_language(client: Client, vendor, owner, media):
    # Stored with ASCII digits (normalised), read in the page's language.
    photo = add_photo(vendor)
    client.force_login(owner)
    client.post(url(vendor), {"action": "caption", "photo": photo.pk, "caption": "گلیم ۱ × ۱٫۵"})
    photo.refresh_from_db()
    assert photo.caption == "گلیم 1 × 1٫5"
    fa = text_of(client.get(url(vendor)))
    en = text_of(client.get("/en" + url(vendor)))
    assert re.findall(r'<p class="caption">(.*?)</p>', fa) == ["گلیم ۱ × ۱٫۵"]
    assert re.findall(r'<p class="caption">(.*?)</p>', en) == ["گلیم 1 × 1٫5"]


# --- the portrait for the gate ---------------------------------------------------------------------


def portrait_url(vendor: Vendor) -> str:
    return f"/me/business/{vendor.pk}/portrait/"


def jpeg_from_a_phone(size=(1600, 1200)) -> SimpleUploadedFile:
    """A JPEG carrying the camera's make and a GPS position, as a phone saves it."""
    image = Image.new("RGB", size, (200, 160, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (33.0, 29.0, 15.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("IMG_2041.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_profile_portrait_is_kept_reencoded_under_a_random_name(client: Client, vendor, owner, media):
    client.force_login(owner)

    response = client.post(url(vendor), {"action": "portrait", "portrait": jpeg_from_a_phone()})

    assert response.status_code == 302
    vendor.refresh_from_db()
    assert re.fullmatch(r"portraits/[0-9a-f]{32}\.jpg", vendor.portrait.name)
    assert stored_files(media) == [vendor.portrait.name]
    with Image.open(media / vendor.portrait.name) as stored:
        assert (stored.format, stored.size, dict(stored.getexif())) == ("JPEG", (640, 480), {})
    page = text_of(client.get(url(vendor)))
    assert "عکس شما برای ورود به نمایشگاه ذخیره شد." in page
    assert f'src="{portrait_url(vendor)}"' in page
    assert vendor.portrait.name not in page
    assert "/media/portraits/" not in page


def test_profile_portrait_replaced_or_removed_leaves_no_old_file(
    client: Client, vendor, owner, media, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(vendor), {"action": "portrait", "portrait": jpeg()})
    vendor.refresh_from_db()
    first = vendor.portrait.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(vendor), {"action": "portrait", "portrait": jpeg(colour=(10, 20, 30))})
    vendor.refresh_from_db()
    second = vendor.portrait.name
    assert second != first
    assert stored_files(media) == [second]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(vendor), {"action": "portrait-remove"})
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.portrait.name == ""
    assert stored_files(media) == []
    assert f'src="{portrait_url(vendor)}"' not in text_of(client.get(url(vendor)))


def test_profile_portrait_of_a_non_image_shows_why_and_keeps_the_old_one(
    client: Client, vendor, owner, media
):
    client.force_login(owner)
    client.post(url(vendor), {"action": "portrait", "portrait": jpeg()})
    vendor.refresh_from_db()
    kept = vendor.portrait.name
    text_file = SimpleUploadedFile("me.jpg", "این یک عکس نیست".encode(), content_type="image/jpeg")

    response = client.post(url(vendor), {"action": "portrait", "portrait": text_file})

    assert response.status_code == 200
    assert response.context["portrait_form"].errors == {"portrait": [NOT_AN_IMAGE]}
    assert NOT_AN_IMAGE in text_of(response)
    vendor.refresh_from_db()
    assert vendor.portrait.name == kept
    assert stored_files(media) == [kept]


def test_profile_portrait_without_a_file_asks_for_one(client: Client, vendor, owner, media):
    client.force_login(owner)

    response = client.post(url(vendor), {"action": "portrait"})

    assert response.context["portrait_form"].errors == {"portrait": ["لطفاً عکسی از خودتان انتخاب کنید."]}
    assert stored_files(media) == []


def test_own_portrait_is_served_to_the_vendor_only(client: Client, vendor, owner, media):
    client.force_login(owner)
    client.post(url(vendor), {"action": "portrait", "portrait": jpeg()})
    vendor.refresh_from_db()
    with vendor.portrait.open("rb") as stored:
        expected = stored.read()

    mine = client.get(portrait_url(vendor))
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/jpeg"
    assert "no-store" in mine["Cache-Control"]
    assert b"".join(mine.streaming_content) == expected
    for user in (
        factories.vendor(user=factories.user()).user,
        factories.county_organiser(),
        factories.provincial_organiser(),
    ):
        client.force_login(user)
        assert client.get(portrait_url(vendor)).status_code == 404
    client.logout()
    assert client.get(portrait_url(vendor)).status_code == 302  # to sign in


def test_own_portrait_when_there_is_none_is_404(client: Client, vendor, owner, media):
    client.force_login(owner)
    assert client.get(portrait_url(vendor)).status_code == 404
