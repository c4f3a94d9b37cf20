"""The demo as data: the registry's people, the exhibitions, sites and halls, and each site's story.

booths.demo.build walks these tables and does what they say through the product's own services
(applying, review, allocation, offers, passes, check-in), so the demo shows what the product does.
Dates are offsets in days from the day the demo is built for; what is drawn at random (names,
days asked for, who is rejected) comes from one seeded generator, so every load is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD = "bazaarche-demo"
SEED = 1404  # the generator's seed, and every demo lottery's
VENDOR_COUNT = 300
# Tracking codes from 1404900000 on are reserved for the demo; the registry's own codes stay below.
TRACKING_BASE = 1404900000
EXHIBITION_SLUG = "lorestan-home-businesses"
DRAFT_EXHIBITION_SLUG = "lorestan-yalda-bazaars"
DEMO_EXHIBITION_SLUGS = (EXHIBITION_SLUG, DRAFT_EXHIBITION_SLUG)
FOOD_GROUP = "agricultural-processing"

# --- the registry ---------------------------------------------------------------------------------

FEMALE_NAMES = (
    "زهرا", "مریم", "فاطمه", "معصومه", "سکینه", "لیلا", "سمیه", "طاهره", "نرگس", "زینب", "اعظم",
    "شهلا", "منیژه", "پروین", "رقیه", "کبری", "صغری", "مهناز", "فرشته", "الهام", "نسرین", "سارا",
    "مرضیه", "طیبه", "اکرم", "ناهید", "گلناز", "شیرین", "بهاره", "آزاده", "فریبا", "سهیلا", "زهره",
    "منصوره", "خدیجه", "ربابه", "نازنین", "مهین", "سیمین", "شکوفه", "پریسا", "صدیقه", "عفت", "گلی",
)  # fmt: skip
MALE_NAMES = (
    "علی", "محمد", "حسین", "رضا", "مهدی", "بهمن", "جواد", "مرتضی", "سعید", "امید", "حمید", "کریم",
    "فرهاد", "مسعود", "یدالله", "عباس", "قاسم", "داریوش", "کیومرث", "بهروز", "اسماعیل", "نادر",
)  # fmt: skip
LAST_NAMES = (
    "دالوند", "بیرانوند", "سپهوند", "میرزاوند", "کرمی", "رحیمی", "قاسمی", "حسنوند", "امیری", "طاهری",
    "مومنی", "ملکی", "کاظمی", "یاراحمدی", "پیرانی", "شهبازی", "سلیمانی", "غضنفری", "چگینی", "ویسی",
    "رشنو", "نوروزی", "فلاحی", "گودرزی", "باجلان", "ساکی", "بهرامی", "زینیوند", "سلطانی", "خدابخشی",
    "عزیزی", "نظری", "کاکاوند", "حیدری", "جهانبخش", "آزادبخت", "ترکاشوند", "پاپی", "میرزایی", "سوری",
    "ملک‌محمدی", "مرادی", "کولیوند", "قبادی", "رضایی", "خسروی", "شیرخانی", "اسدی",
)  # fmt: skip
STREETS = (
    "خیابان امام خمینی", "خیابان شریعتی", "بلوار شهید بهشتی", "خیابان انقلاب", "کوی اساتید",
    "خیابان ولیعصر", "شهرک ولایت", "خیابان مطهری", "کوی کارگر", "خیابان فردوسی", "کوی فرهنگیان",
    "خیابان سعدی", "بلوار معلم", "کوی زاگرس", "خیابان طالقانی",
)  # fmt: skip

# More vendors where more people live; every county gets some.
COUNTY_WEIGHTS = {
    "khorramabad": 70, "borujerd": 50, "dorud": 25, "aligudarz": 22, "azna": 14, "kuhdasht": 25,
    "poldokhtar": 14, "delfan": 20, "selseleh": 15, "chegeni": 9, "rumeshkan": 9, "mamulan": 8,
}  # fmt: skip
POSTAL_PREFIX = {
    "khorramabad": "681", "borujerd": "691", "dorud": "688", "aligudarz": "687", "azna": "687",
    "kuhdasht": "685", "poldokhtar": "684", "delfan": "686", "selseleh": "686", "chegeni": "681",
    "rumeshkan": "685", "mamulan": "684",
}  # fmt: skip
NATIONAL_ID_PREFIXES = ("406", "407", "408", "409", "410", "411", "412", "413", "414", "415", "416")
MOBILE_PREFIXES = ("0916", "0916", "0916", "0916", "0918", "0912", "0935", "0936", "0939", "0901", "0990")
# Food and handicrafts dominate the home businesses that come to bazaars.
GROUP_WEIGHTS = {
    "agricultural-processing": 8,
    "handicrafts": 4,
    "manufacturing-and-services": 2,
    "livestock-products": 2,
    "plant-products": 1.5,
    "fisheries": 1,
    "culture-and-art": 1,
}

BUSINESS_NAMES = {
    "1001": "قالیبافی {last}", "1002": "کارگاه گلیم‌بافی {first}", "1003": "تابلوفرش {first}",
    "1004": "قلمزنی {last}", "1005": "چرم دست‌دوز {first}", "1006": "گلدوزی {first}",
    "1007": "منبت‌کاری {last}", "1008": "نمدمالی {last}", "1009": "فیروزه‌کوبی {first}",
    "1010": "ماشته‌بافی {first}", "1011": "چوغابافی {last}", "1012": "حکاکی سنگ {last}",
    "1013": "سازسازی {last}", "1014": "بافتنی‌های {first}", "1015": "ابریشم‌بافی {first}",
    "2001": "خیاطی {first}", "2002": "لباس محلی {first}", "2003": "اسباب‌بازی {last}",
    "2004": "گل‌سازی {first}", "2005": "بسته‌بندی {last}", "3001": "عسل طبیعی {last}",
    "3002": "مرغ بومی {last}", "3003": "تخم‌مرغ محلی {last}", "3004": "نوغان {last}",
    "3005": "لبنیات محلی {first}", "4001": "قارچ {last}", "4002": "گلخانه {first}",
    "4003": "گیاهان دارویی {last}", "4004": "محصولات گلخانه‌ای {last}", "5001": "حبوبات {last}",
    "5002": "سبزی خشک {first}", "5003": "سبزی آماده {first}", "5004": "دمنوش‌های {first}",
    "5005": "شیرینی خانگی {first}", "5006": "ترشی خانگی {first}", "5007": "رب و مربای {first}",
    "6001": "ماهی زینتی {last}", "7001": "انیمیشن {last}", "7002": "برنامه‌نویسی {last}",
    "7003": "ترجمه {first}", "7004": "ویراستاری {first}", "7005": "نقاشی و خوشنویسی {first}",
}  # fmt: skip
PRODUCTS = {
    "1001": "قالی دستباف با نقشه‌های لری و عشایری",
    "1002": "گلیم، جاجیم و پشتی دستباف لری",
    "1003": "تابلوفرش با طرح‌های سنتی",
    "1006": "رومیزی، روسری و لباس گلدوزی‌شده",
    "1011": "چوغای لری و سوغاتی‌های چوغابافی",
    "1014": "شال، کلاه و دستکش بافتنی",
    "2001": "لباس زنانه و بچگانه دوخت سفارشی",
    "2002": "لباس محلی لری، سربند و جلیقه",
    "3001": "عسل کوهی زاگرس و موم",
    "3005": "کره محلی، دوغ، کشک و روغن حیوانی",
    "4003": "گل‌گاوزبان، آویشن کوهی و بابونه",
    "5004": "دمنوش‌های گیاهی و گیاهان دارویی بسته‌بندی‌شده",
    "5005": "کلوچه، نان برنجی، گاتا و شیرینی محلی",
    "5006": "ترشی لیته، خیارشور و شوری‌های خانگی",
    "5007": "رب گوجه، رب انار و مربای بالنگ",
}

REJECTIONS = (
    "شناسه بهداشت برای رسته‌های خوراکی ستاره‌دار بارگذاری نشده است.",
    "عکس محصولات با توضیحات درخواست هم‌خوانی ندارد؛ لطفاً در دوره بعد دوباره درخواست دهید.",
)
# What an organiser writes when a site's booths are full on the days asked for.
FULL = "ظرفیت بازارچه در روزهای درخواستی شما تکمیل است؛ رتبه شما در فهرست انتظار {position} است."


@dataclass(frozen=True)
class Company:
    national_id: str
    name: str
    county: str
    members: int  # piece-rate home workers, mostly in the company's county
    member_groups: tuple[str, ...]  # the category groups they work in


# The first company applies for ten of its members as a group; its manager has a sign-in.
COMPANIES = (
    Company("10102345673", "شرکت هنر لر", "khorramabad", 15, ("handicrafts",)),
    Company("10861234561", "تعاونی بانوان زاگرس", "borujerd", 8, (FOOD_GROUP,)),
    Company("14003217895", "شرکت صنایع دستی سفیدکوه", "khorramabad", 5, ("handicrafts",)),
)
COMPANY_MANAGER = ("کامران", "حسنوند")


@dataclass(frozen=True)
class Staff:
    username: str
    first_name: str
    last_name: str
    scope: str  # "admin", "province" or the slug of the county they organise


STAFF = (
    Staff("admin", "مدیر", "سامانه", "admin"),
    Staff("province", "نسرین", "بیرانوند", "province"),
    Staff("khorramabad", "علیرضا", "کرمی", "khorramabad"),
)


@dataclass(frozen=True)
class SignInVendor:
    """The vendor who signs in: the registry's first demo vendor, with a story of her own."""

    first_name: str
    last_name: str
    county: str
    category: str
    site: str  # where the organiser gives her a booth of her choosing before the lottery
    booth: str
    also: str  # a coming site she has applied to


SIGN_IN_VENDOR = SignInVendor(
    "زهرا", "دالوند", "khorramabad", "1002", "khorramabad-fairground", "A-12", "kuhdasht-fair"
)
# Vendors besides her with an account (username = mobile): the first who applied somewhere on their own.
OTHER_ACCOUNTS = 20

# --- exhibitions, venues, sites and halls -----------------------------------------------------------


@dataclass(frozen=True)
class ExhibitionSpec:
    slug: str
    title_fa: str
    title_en: str
    description_fa: str
    description_en: str
    published: bool


EXHIBITIONS = (
    ExhibitionSpec(
        EXHIBITION_SLUG,
        "نمایشگاه سراسری مشاغل خانگی لرستان",
        "Lorestan Province-wide Home Business Exhibition",
        "نمایشگاه‌ها و بازارچه‌های مشاغل خانگی در شهرستان‌های لرستان، با غرفه رایگان یا کم‌هزینه "
        "برای کسب‌وکارهای خانگی دارای مجوز. برگزارکننده: اداره کل تعاون، کار و رفاه اجتماعی استان لرستان.",
        "Exhibitions and bazaars for licensed home businesses across Lorestan's counties, with "
        "free or low-cost booths. Run by the Directorate General of Cooperatives, Labour and Social Welfare.",
        published=True,
    ),
    # A draft: visible to organisers only, never on a public page.
    ExhibitionSpec(
        DRAFT_EXHIBITION_SLUG,
        "بازارچه‌های شب یلدای لرستان",
        "Lorestan Yalda Night Bazaars",
        "پیش‌نویس؛ هنوز منتشر نشده است.",
        "Draft; not published yet.",
        published=False,
    ),
)


@dataclass(frozen=True)
class VenueSpec:
    name_fa: str
    name_en: str
    address_fa: str
    address_en: str
    latitude: str
    longitude: str


@dataclass(frozen=True)
class HallSpec:
    """A grid of booths: corners at the row ends, zones front and back, neighbours left and right."""

    code: str
    name_fa: str
    name_en: str
    rows: int
    cols: int
    zones: tuple[str, str] = ("A", "B")
    corner_price: int = 0
    outdoor: bool = False
    power_everywhere: bool = False
    island_row: int | None = None
    blocked: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class DaySpec:
    """A day that differs from the weekly hours, `after` days from the site's first day."""

    after: int
    reason_fa: str
    reason_en: str
    closed: bool = True
    opens: str | None = None
    closes: str | None = None
    estimated: bool = False


@dataclass(frozen=True)
class Call:
    """Who answers a site's call for applications, and for which days."""

    applicants: int
    local: tuple[str, ...] = ()  # counties whose vendors apply more often
    local_weight: int = 1
    women_only: bool = False
    # "run": every open day or a run of at least two (`full` of them ask for every day); "shifts": the
    # first half of the days or the second, in turn; "upcoming": some of the open days from today on.
    days: str = "run"
    full: float = 0.7
    first_days: int | None = None  # only the first few open days are asked for
    needs_rate: float = 0.15  # how often power (and, for food, water) is asked for
    company_members: int = 0  # members the first company applies for, as a group


@dataclass(frozen=True)
class Review:
    """How the organiser reviews a closed call."""

    after_close: int  # days
    unreviewed: int  # the last applications of the call, still waiting
    max_rejected: int
    # Accept only while every day asked for has a free booth left, waitlisting the others, as a
    # weekly bazaar (or one shared in shifts) fills its booths by hand.
    by_capacity: bool = False


@dataclass(frozen=True)
class Lottery:
    """The allocation of a reviewed site: run, published, answered."""

    allocate_after: int  # days after the close
    publish_after: int
    declines: int = 0  # answer "no" the day after
    silent: int = 0  # never answer: their offers expire and pass to the waiting list
    pending: int = 0  # of those it passes to, the last still have to answer today


@dataclass(frozen=True)
class SiteSpec:
    slug: str
    exhibition: str
    county: str
    venue: VenueSpec
    title_fa: str
    title_en: str
    start: int
    end: int
    window: tuple[int, int] | None  # the call's first and last day; it opens at 08:00, closes at 20:00
    weekdays: tuple[int, ...]
    hours: tuple[str, str]
    halls: tuple[HallSpec, ...]
    days: tuple[DaySpec, ...] = ()
    quota: tuple[str, int] | None = None  # a category group and the share of booths it may take
    eligible_counties: tuple[str, ...] = ()
    eligible_groups: tuple[str, ...] = ()
    call: Call | None = None
    review: Review | None = None
    lottery: Lottery | None = None
    withdrawals: int = 0  # of an open call: the first applicants change their minds
    gate: str = ""  # the gate staff's sign-in, for a site open today


EVERY_DAY = tuple(range(7))
FRIDAY, TUESDAY = 4, 1  # OpeningHours.Weekday

SITES = (
    SiteSpec(
        "khorramabad-fairground",
        EXHIBITION_SLUG,
        "khorramabad",
        VenueSpec(
            "نمایشگاه بین‌المللی لرستان",
            "Lorestan International Fairground",
            "خرم‌آباد، کمربندی شمالی، محل دائمی نمایشگاه‌های بین‌المللی استان",
            "Northern ring road, Khorramabad",
            "33.513200",
            "48.366900",
        ),
        "جشنواره مشاغل خانگی خرم‌آباد",
        "Khorramabad Home Business Festival",
        start=-2,
        end=3,
        window=(-40, -10),
        weekdays=EVERY_DAY,
        hours=("14:00", "20:00"),
        halls=(
            HallSpec("A", "سالن الف", "Hall A", 5, 10, corner_price=5_000_000, blocked=((2, 5),)),
            HallSpec("B", "سالن ب", "Hall B", 5, 7, zones=("C", "D"), island_row=2, blocked=((4, 6),)),
        ),
        # Closed on a day other than today, so the festival is open while the demo is shown.
        days=(DaySpec(4, "تعطیل رسمی", "Public holiday"),),
        quota=(FOOD_GROUP, 40),
        # The whole province may apply; about 2.4 applicants per booth.
        call=Call(200, local=("khorramabad", "chegeni"), local_weight=4, company_members=10),
        review=Review(after_close=1, unreviewed=4, max_rejected=6),
        lottery=Lottery(allocate_after=3, publish_after=5, declines=1, silent=3, pending=1),
        gate="دروازه اصلی",
    ),
    SiteSpec(
        "borujerd-bazaar",
        EXHIBITION_SLUG,
        "borujerd",
        VenueSpec(
            "فرهنگسرای شهرداری بروجرد",
            "Borujerd Municipal Cultural Centre",
            "بروجرد، خیابان جعفری، حیاط فرهنگسرای شهرداری",
            "Jafari Street, Borujerd",
            "33.897300",
            "48.751600",
        ),
        "بازارچه ده‌روزه بانوان بروجرد",
        "Borujerd Ten-day Women's Bazaar",
        start=-1,
        end=8,
        window=(-30, -7),
        weekdays=EVERY_DAY,
        hours=("16:00", "21:00"),
        halls=(HallSpec("A", "حیاط فرهنگسرا", "Courtyard", 2, 10, outdoor=True, power_everywhere=True),),
        # Forty women in two shifts of five days share twenty booths.
        call=Call(50, local=("borujerd", "dorud", "azna"), local_weight=5, women_only=True, days="shifts"),
        review=Review(after_close=1, unreviewed=0, max_rejected=2, by_capacity=True),
        lottery=Lottery(allocate_after=2, publish_after=3),
        gate="دروازه اصلی",
    ),
    SiteSpec(
        "dorud-friday",
        EXHIBITION_SLUG,
        "dorud",
        VenueSpec(
            "بازارچه دائمی مشاغل خانگی دورود",
            "Dorud Permanent Home Business Bazaar",
            "دورود، بلوار امام خمینی، جنب پارک ساحلی",
            "Imam Khomeini Boulevard, by the riverside park, Dorud",
            "33.495500",
            "49.057800",
        ),
        "بازارچه جمعه دورود",
        "Dorud Friday Bazaar",
        start=-14,
        end=60,
        window=(-45, -20),
        weekdays=(FRIDAY,),
        hours=("16:00", "21:00"),
        halls=(HallSpec("A", "راسته اصلی", "Main row", 2, 6, outdoor=True),),
        eligible_counties=("dorud", "borujerd", "azna"),
        # A weekly bazaar for three counties: reviewed, but booths are handed out on each Friday.
        call=Call(30, days="upcoming"),
        review=Review(after_close=1, unreviewed=3, max_rejected=6, by_capacity=True),
    ),
    SiteSpec(
        "aligudarz-tuesday",
        EXHIBITION_SLUG,
        "aligudarz",
        VenueSpec(
            "پارک شهر الیگودرز",
            "Aligudarz City Park",
            "الیگودرز، خیابان امام، ورودی پارک شهر",
            "Imam Street, City Park entrance, Aligudarz",
            "33.400600",
            "49.694900",
        ),
        "بازارچه سه‌شنبه الیگودرز",
        "Aligudarz Tuesday Bazaar",
        start=5,
        end=90,
        window=(-3, 10),
        weekdays=(TUESDAY,),
        hours=("10:00", "14:00"),
        # The corners by the park's paths cost a little; the rest are free.
        halls=(HallSpec("A", "ضلع شمالی پارک", "North side", 2, 8, corner_price=2_000_000, outdoor=True),),
        call=Call(20, local=("aligudarz",), local_weight=4, full=0.5, first_days=8),
        withdrawals=2,
    ),
    SiteSpec(
        "kuhdasht-fair",
        EXHIBITION_SLUG,
        "kuhdasht",
        VenueSpec(
            "سالن اجتماعات فرمانداری کوهدشت",
            "Kuhdasht Governorate Hall",
            "کوهدشت، میدان امام حسین، ساختمان فرمانداری",
            "Imam Hossein Square, Kuhdasht",
            "33.535000",
            "47.606100",
        ),
        "جشنواره سوغات و صنایع دستی کوهدشت",
        "Kuhdasht Crafts and Souvenirs Fair",
        start=20,
        end=24,
        window=(-3, 10),
        weekdays=EVERY_DAY,
        hours=("10:00", "13:00"),
        halls=(HallSpec("A", "سالن اصلی", "Main hall", 3, 8, island_row=1),),
        days=(
            DaySpec(
                1, "آیین افتتاحیه؛ شروع با تأخیر", "Opening ceremony; opens late", False, "11:00", "13:00"
            ),
            DaySpec(3, "تاسوعا", "Tasua", estimated=True),
        ),
        eligible_groups=("handicrafts", FOOD_GROUP, "livestock-products"),
        call=Call(30, local=("kuhdasht",), local_weight=4, full=0.5, first_days=8),
        withdrawals=2,
    ),
    SiteSpec(
        "azna-yalda",
        DRAFT_EXHIBITION_SLUG,
        "azna",
        VenueSpec(
            "بوستان شهدای ازنا",
            "Azna Martyrs' Park",
            "ازنا، بلوار شهدا، بوستان شهدا",
            "Shohada Boulevard, Azna",
            "33.455800",
            "49.455500",
        ),
        "بازارچه شب یلدای ازنا",
        "Azna Yalda Night Bazaar",
        start=30,
        end=32,
        window=None,
        weekdays=EVERY_DAY,
        hours=("16:00", "22:00"),
        halls=(HallSpec("A", "محوطه بوستان", "Park grounds", 2, 5, outdoor=True),),
    ),
)

# What the organisers say of each zone (the front rows of a hall or yard are by its entrance).
# Khorramabad's zone D is left unnamed, as an organiser may leave one: vendors read «بخش D».
ZONE_WORDS = {
    "A": (
        "ردیف‌های جلو، کنار ورودی",
        "Front rows, by the entrance",
        "بیشترین رفت‌وآمد بازدیدکنندگان؛ غرفه‌های کنار در برق دارند.",
        "Most visitors pass here; the booths by the door have power.",
    ),
    "B": (
        "ردیف‌های عقب، کنار دیوار",
        "Back rows, along the wall",
        "آرام‌تر و نزدیک به آب و سرویس‌ها.",
        "Quieter, near water and the toilets.",
    ),
    "C": (
        "سالن ب، کنار غرفه‌های جزیره",
        "Hall B, by the island booths",
        "وسط سالن دوم، رو به غرفه‌های جزیره‌ای.",
        "The middle of the second hall, facing the island booths.",
    ),
}
