"""A small, exactly known set of applications, assignments, passes and gate scans in two counties,
shared by the dashboard and export tests."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from booths.gate.passes import new_code
from booths.models import Admission, Application, Assignment, Booth, Pass
from events.models import Site
from tests import factories
from vendors.models import Category

S = Application.Status


@dataclass
class Scenario:
    today: datetime.date
    khorramabad: Site
    borujerd: Site
    booths: dict[str, list[Booth]]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def admit(
    pass_obj: Pass, day: datetime.date, hour: int, result: str = Admission.Result.ADMITTED
) -> Admission:
    return Admission.objects.create(
        site=pass_obj.site,
        pass_obj=pass_obj,
        code=pass_obj.code,
        result=result,
        date=day,
        scanned_at=_at(day, hour, 30),
    )


def issue(application: Application, holder: str = Pass.Holder.VENDOR) -> Pass:
    return Pass.objects.create(site=application.site, application=application, holder=holder, code=new_code())


def scenario() -> Scenario:
    """Khorramabad: three applications (two placed, one no-show day); Borujerd: two (one no-show day)."""
    today = timezone.localdate()
    days = {"start_date": today - datetime.timedelta(days=2), "end_date": today + datetime.timedelta(days=2)}
    exhibition = factories.exhibition(title_fa="نمایشگاه پاییزه مشاغل خانگی", slug="autumn")
    khorramabad = factories.site(exhibition, "khorramabad", slug="kh", title_fa="بازارچه خرم‌آباد", **days)
    borujerd = factories.site(exhibition, "borujerd", slug="bo", title_fa="بازارچه بروجرد", **days)
    booths = {}
    for site in (khorramabad, borujerd):
        hall = factories.hall(site, name_fa="سالن اصلی")
        booths[site.slug] = [factories.booth(hall, code=f"A-{n}") for n in range(1, 5)]
        factories.booth(hall, code="X-1", blocked=True)
    d2, d1 = today - datetime.timedelta(days=2), today - datetime.timedelta(days=1)
    handicraft, manufacturing = Category.objects.get(code="1002"), Category.objects.get(code="2001")
    livestock = Category.objects.get(code="3001")

    # Khorramabad.
    v1 = factories.vendor(
        first_name="زهرا", last_name="دالوند", business_name="گلیم زاگرس", category=handicraft
    )
    a1 = factories.application(
        khorramabad, v1, status=S.ACCEPTED, priority=2, days=[d2.isoformat(), d1.isoformat()]
    )
    v2 = factories.vendor(
        business_name="=کارگاه دورود", category=manufacturing, county=factories.county("dorud")
    )
    a2 = factories.application(khorramabad, v2, status=S.ACCEPTED, priority=0, days=[d2.isoformat()])
    factories.application(
        khorramabad, status=S.REJECTED, priority=1, vendor_obj=factories.vendor(category=handicraft)
    )
    kb = booths["kh"]
    Assignment.objects.create(booth=kb[0], date=d2, application=a1)
    Assignment.objects.create(booth=kb[0], date=d1, application=a1)  # a no-show
    Assignment.objects.create(booth=kb[1], date=d2, application=a2)
    p1, p2 = issue(a1), issue(a2, Pass.Holder.HELPER)
    admit(p1, d2, 10)
    admit(p1, d2, 11, Admission.Result.ALREADY_ADMITTED)  # not a check-in
    admit(p2, d2, 15)

    # Borujerd.
    w1 = factories.vendor(
        business_name="لبنیات بروجرد", category=livestock, county=factories.county("borujerd")
    )
    b1 = factories.application(borujerd, w1, status=S.ACCEPTED, priority=3, days=[d1.isoformat()])
    factories.application(
        borujerd, status=S.SUBMITTED, vendor_obj=factories.vendor(county=factories.county("borujerd"))
    )
    Assignment.objects.create(booth=booths["bo"][0], date=d1, application=b1)  # a no-show
    Assignment.objects.create(booth=booths["bo"][0], date=today, application=b1)  # today: not past yet
    issue(b1)
    return Scenario(today=today, khorramabad=khorramabad, borujerd=borujerd, booths=booths)


def grow(site: Site, booths: list[Booth], n: int, today: datetime.date) -> None:
    """n more placed applications at a site, each with a pass and a check-in on a past day."""
    day = today - datetime.timedelta(days=2)
    hall = booths[0].hall
    for _ in range(n):
        booth = factories.booth(hall)
        application = factories.application(site, status=S.ACCEPTED, days=[day.isoformat()])
        Assignment.objects.create(booth=booth, date=day, application=application)
        admit(issue(application), day, 12)
