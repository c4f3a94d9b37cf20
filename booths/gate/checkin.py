"""Gate check-in: gate-staff tokens, and one scan of a pass turned into a recorded answer.

Every scan is stored as an Admission, whatever its result. "Admitted at most once a day" is the
database's partial unique index on (pass, day) where result = admitted: the admitting insert runs
in a savepoint, and when the index refuses it the scan is recorded as already admitted. Parallel
scans of one pass therefore admit it exactly once, on any number of workers. A scan repeated with
the same idempotency key from the same gate (a phone retrying after a lost answer) is answered
from the first scan's record and records nothing new (unique index on (gate, key)).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_lazy

from bazaarche.bilingual import each
from bazaarche.jalali import format_time
from bazaarche.refusals import Refused
from booths.gate.passes import normalize_code
from booths.models import Admission, Application, Assignment, Booth, GateToken, Hall, Pass
from events.models import Site
from vendors.models import Vendor, VendorPhoto

Result = Admission.Result
IDEMPOTENCY_KEY_MAX = 100
SCANNED_TEXT_MAX = 200


class GateRefused(Refused):
    """The gate itself may not check in here: "wrong_gate" (its token is bound to another site) or
    "revoked_gate". The message is lazy: the API answers in Persian and English."""

    def __init__(self, code: str, message: str, site: Site):
        super().__init__(code, message)
        self.site = site


# --- gate tokens -------------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_gate_token(site: Site, name: str, created_by=None) -> tuple[GateToken, str]:
    """A new token for `site` and its key. The key is returned once and only its hash is stored."""
    key = secrets.token_urlsafe(24)
    token = GateToken.objects.create(
        site=site, name=name, key_hash=hash_key(key), key_prefix=key[:6], created_by=created_by
    )
    return token, key


def authenticate_gate(key: str | None) -> GateToken | None:
    """The live token with this key, or None (missing, unknown or revoked)."""
    if not key:
        return None
    # Hand-written like the pass lookup: every scan starts here, and the ORM's select_related query
    # cost more to compose than to answer. Only the fields the gate uses are loaded.
    sql = f"""
        SELECT t.id, t.name, t.key_prefix, t.revoked_at, s.id, s.slug, s.title_fa, s.title_en
          FROM {GateToken._meta.db_table} t JOIN {Site._meta.db_table} s ON s.id = t.site_id
         WHERE t.key_hash = %s
    """  # table names come from the models; the value is a parameter
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, [hash_key(key)])
        row = cursor.fetchone()
    if row is None or row[3] is not None:
        return None
    token = _loaded(GateToken, id=row[0], name=row[1], key_prefix=row[2], revoked_at=row[3], site_id=row[4])
    token.site = _loaded(Site, id=row[4], slug=row[5], title_fa=row[6], title_en=row[7])
    return token


def _loaded(model, **values):
    """An instance as the ORM would load it with only these fields (the others deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db("default", names, [values[name] for name in names])


def revoke_gate_token(token: GateToken, now: datetime.datetime | None = None) -> bool:
    """Revoke a token; False when it already was."""
    return bool(
        GateToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now or timezone.now()
        )
    )


# --- answers -----------------------------------------------------------------------------------


def _messages(
    result: str, *, site: Site | None = None, admitted_at: datetime.datetime | None = None
) -> dict[str, str]:
    """What the gate shows for `result`, in Persian and in English."""

    def render() -> str:
        if result == Result.ADMITTED:
            return gettext("Admitted. Welcome!")
        if result == Result.ALREADY_ADMITTED:
            if admitted_at is None:
                return gettext("Already admitted today.")
            return gettext("Already admitted today at %(time)s.") % {
                "time": format_time(timezone.localtime(admitted_at).time())
            }
        if result == Result.WRONG_SITE:
            return gettext("This pass is for another site: %(site)s.") % {"site": site.title if site else ""}
        if result == Result.WRONG_DAY:
            return gettext("This pass is not valid today.")
        if result == Result.REVOKED:
            return gettext("This pass has been revoked. Ask the holder for their new pass.")
        return gettext("This is not a valid pass code.")

    return each(render)


@dataclass(frozen=True)
class CheckinOutcome:
    """The answer to one scan: a stable result code, who, which booth, and a message in fa and en."""

    result: str
    messages: dict[str, str]
    scanned_at: datetime.datetime
    site: str
    holder: str = ""
    holder_name: str = ""
    vendor_name: str = ""
    business_name: str = ""
    photo_url: str = ""  # the business's first product photo: it shows what they sell, not who they are
    portrait_url: str = ""  # the holder's own photo, served only to this site's gate and organisers
    booth_code: str = ""
    hall_code: str = ""
    hall_names: tuple[str, str] = ("", "")  # Persian, English
    admitted_at: datetime.datetime | None = None
    replayed: bool = False
    admitted_today: int = 0  # passes admitted at the site on the scan's day, this one included

    @property
    def admitted(self) -> bool:
        return self.result == Result.ADMITTED

    @property
    def hall_name(self) -> str:
        return self.hall_names[1] if translation.get_language() == "en" else self.hall_names[0]

    @property
    def message(self) -> str:
        return self.messages["en" if translation.get_language() == "en" else "fa"]

    def as_json(self) -> dict:
        known = bool(self.vendor_name)
        return {
            "result": self.result,
            "label": str(Result(self.result).label),
            "message": self.message,
            "messages": self.messages,
            "site": self.site,
            "holder": (
                {
                    "kind": self.holder,
                    "name": self.holder_name,
                    "vendor": self.vendor_name,
                    "business": self.business_name,
                    "photo": self.photo_url or None,
                    "portrait": self.portrait_url or None,
                }
                if known
                else None
            ),
            "booth": (
                {
                    "code": self.booth_code,
                    "hall": self.hall_code,
                    "hall_name": self.hall_name,
                    "hall_names": {"fa": self.hall_names[0], "en": self.hall_names[1]},
                }
                if self.booth_code
                else None
            ),
            "scanned_at": self.scanned_at.isoformat(),
            "admitted_at": self.admitted_at.isoformat() if self.admitted_at else None,
            "replayed": self.replayed,
            "admitted_today": self.admitted_today,
        }


@dataclass
class ScannedPass:
    """What a scan needs to know about a pass on one day, read in a single query (see _scanned_pass)."""

    id: int
    site_id: int
    holder: str
    holder_name: str
    revoked: bool
    vendor_name: str
    business_name: str
    booth_code: str | None
    hall_code: str | None
    hall_name_fa: str | None
    hall_name_en: str | None
    admitted_at: datetime.datetime | None
    photo: str | None
    portrait: str | None

    @property
    def site(self) -> Site:
        return Site.objects.get(pk=self.site_id)


def _aware(value) -> datetime.datetime | None:
    """A datetime read by raw SQL: SQLite gives text in UTC, PostgreSQL an aware datetime."""
    if value is None or (isinstance(value, datetime.datetime) and timezone.is_aware(value)):
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=datetime.UTC) if timezone.is_naive(value) else value


def _scanned_pass(
    *, code: str | None = None, pk: int | None = None, day: datetime.date
) -> ScannedPass | None:
    """The pass with this code (or id), its booth on `day`, its admission that day, the vendor's
    first product photo and their portrait, in one round trip. Hand-written SQL because this is the
    gate's hot path: the ORM spent more time composing the equivalent query than the database spent
    answering it."""
    t = {
        m: m._meta.db_table
        for m in (Pass, Application, Vendor, Assignment, Booth, Hall, Admission, VendorPhoto)
    }
    sql = f"""
        SELECT p.id, p.site_id, p.holder, p.holder_name, p.revoked_at, v.first_name, v.last_name, v.business_name,
               b.code, h.code, h.name_fa, h.name_en,
               (SELECT ad.scanned_at FROM {t[Admission]} ad
                 WHERE ad.pass_id = p.id AND ad.date = %s AND ad.result = %s LIMIT 1),
               (SELECT COALESCE(NULLIF(ph.thumbnail, ''), ph.image) FROM {t[VendorPhoto]} ph
                 WHERE ph.vendor_id = v.id ORDER BY ph.position, ph.id LIMIT 1),
               v.portrait
          FROM {t[Pass]} p
          JOIN {t[Application]} a ON a.id = p.application_id
          JOIN {t[Vendor]} v ON v.id = a.vendor_id
          LEFT JOIN {t[Assignment]} asg ON asg.application_id = p.application_id AND asg.date = %s
          LEFT JOIN {t[Booth]} b ON b.id = asg.booth_id
          LEFT JOIN {t[Hall]} h ON h.id = b.hall_id
         WHERE {"p.code" if code is not None else "p.id"} = %s
    """  # table names come from the models; every value is a parameter
    connection = transaction.get_connection()
    day_value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [day_value, Result.ADMITTED, day_value, code if code is not None else pk])
        row = cursor.fetchone()
    if row is None:
        return None
    first, last = row[5], row[6]
    return ScannedPass(
        id=row[0],
        site_id=row[1],
        holder=row[2],
        holder_name=row[3],
        revoked=row[4] is not None,
        vendor_name=f"{first} {last}",
        business_name=row[7],
        booth_code=row[8],
        hall_code=row[9],
        hall_name_fa=row[10],
        hall_name_en=row[11],
        admitted_at=_aware(row[12]),
        photo=row[13],
        portrait=row[14],
    )


def admitted_today(site_id: int, day: datetime.date) -> int:
    """How many passes the site has admitted on `day`, at all its gates."""
    sql = f"SELECT COUNT(*) FROM {Admission._meta.db_table} WHERE site_id = %s AND date = %s AND result = %s"
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(sql, [site_id, connection.ops.adapt_datefield_value(day), Result.ADMITTED])
        return cursor.fetchone()[0]


def _outcome(
    admission: Admission,
    scanned: ScannedPass | None,
    *,
    admitted_at: datetime.datetime | None = None,
    replayed: bool = False,
) -> CheckinOutcome:
    """The answer for a recorded scan; `scanned` is read for the scan's day.

    Who holds a pass is told only at the pass's own site: the staff of another site learn which site
    the pass is for, never its holder, business, photo or booth.
    """
    fields: dict = {}
    site = None
    if scanned is not None and scanned.site_id != admission.site_id:
        site = scanned.site
    elif scanned is not None:
        fields = {
            "holder": scanned.holder,
            # A helper the vendor has not named has no name: never the vendor's, which a face would not match.
            "holder_name": scanned.holder_name
            or (scanned.vendor_name if scanned.holder == Pass.Holder.VENDOR else ""),
            "vendor_name": scanned.vendor_name,
            "business_name": scanned.business_name,
            "photo_url": default_storage.url(scanned.photo) if scanned.photo else "",
            # A helper's pass never shows the vendor's face: the gate checks a helper's ID card.
            "portrait_url": (
                reverse("api-gate-portrait", args=[scanned.id])
                if scanned.portrait and scanned.holder == Pass.Holder.VENDOR
                else ""
            ),
        }
        # The booth only where the pass is good today: elsewhere it would send the holder astray.
        if admission.result in (Result.ADMITTED, Result.ALREADY_ADMITTED) and scanned.booth_code:
            fields |= {
                "booth_code": scanned.booth_code,
                "hall_code": scanned.hall_code,
                "hall_names": (scanned.hall_name_fa, scanned.hall_name_en or scanned.hall_name_fa),
            }
    if admission.result == Result.ADMITTED:
        admitted_at = admission.scanned_at
    return CheckinOutcome(
        result=admission.result,
        messages=_messages(admission.result, site=site, admitted_at=admitted_at),
        scanned_at=admission.scanned_at,
        site=admission.site.slug,
        admitted_at=admitted_at,
        replayed=replayed,
        admitted_today=admitted_today(admission.site_id, admission.date),
        **fields,
    )


def _one(queryset):
    """The first row of a query on a unique key, without the ORDER BY that .first() would add."""
    return next(iter(queryset.order_by()[:1]), None)


def _first_admission_at(pass_id: int, day: datetime.date) -> datetime.datetime | None:
    admitted = Admission.objects.filter(pass_obj_id=pass_id, date=day, result=Result.ADMITTED)
    return _one(admitted.values_list("scanned_at", flat=True))


def _replay(admission: Admission) -> CheckinOutcome:
    """The answer a stored scan gave, rebuilt from its record."""
    scanned = _scanned_pass(pk=admission.pass_obj_id, day=admission.date) if admission.pass_obj_id else None
    admitted_at = scanned.admitted_at if scanned is not None else None
    return _outcome(admission, scanned, admitted_at=admitted_at, replayed=True)


def _by_key(gate: GateToken, key: str | None) -> Admission | None:
    if not key:
        return None
    return _one(Admission.objects.select_related("site").filter(gate=gate, idempotency_key=key))


def _printable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; other control characters are dropped too, for the audit log's sake.
    return "".join(ch for ch in str(text) if ch.isprintable() or ch == " ")


def _insert(fields: dict) -> Admission:
    # Inside a transaction a refused insert needs a savepoint to roll back to; outside one (a
    # request, autocommit) the insert is its own transaction, and BEGIN/COMMIT would only add trips.
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return Admission.objects.create(**fields)
    return Admission.objects.create(**fields)


def check_in(
    gate: GateToken,
    text: str,
    site_slug: str,
    idempotency_key: str | None = None,
    now: datetime.datetime | None = None,
) -> CheckinOutcome:
    """Check one scanned or typed text in at `gate`, record it, and say what the gate should show.

    Raises GateRefused when the gate's token is revoked or bound to another site than `site_slug`.
    """
    if gate.revoked_at is not None:
        raise GateRefused(
            "revoked_gate",
            gettext_lazy("Sign in with a valid gate key. This key is unknown or has been revoked."),
            gate.site,
        )
    if gate.site.slug != site_slug:
        raise GateRefused(
            "wrong_gate",
            gettext_lazy("This gate key is for another site. Scan at the site the key was made for."),
            gate.site,
        )
    # A repeated key is found when its insert is refused (unique per gate), not by a lookup first:
    # one round trip fewer for every scan, and a retry racing its own first try is caught the same way.
    key = (idempotency_key or "").strip()[:IDEMPOTENCY_KEY_MAX] or None
    now = now or timezone.now()
    today = timezone.localdate(now)
    site = gate.site
    code = normalize_code(text)
    scanned = _scanned_pass(code=code, day=today) if code else None
    admitted_at = None
    if scanned is None:
        result = Result.INVALID
    elif scanned.site_id != site.pk:  # before "revoked": a revocation is the other site's business
        result = Result.WRONG_SITE
    elif scanned.revoked:
        result = Result.REVOKED
    elif scanned.booth_code is None:
        result = Result.WRONG_DAY
    elif (admitted_at := scanned.admitted_at) is not None:
        result = Result.ALREADY_ADMITTED
    else:
        result = Result.ADMITTED

    fields = {
        "site": site,
        "gate": gate,
        "pass_obj_id": scanned.id if scanned else None,
        "code": _printable(text)[:SCANNED_TEXT_MAX],
        "date": today,
        "scanned_at": now,
        "idempotency_key": key,
    }
    try:
        admission = _insert(fields | {"result": result})
    except IntegrityError:
        # Either the same key won a race from this gate, or (admitting) the pass is already in today.
        if (prior := _by_key(gate, key)) is not None:
            return _replay(prior)
        if result != Result.ADMITTED:
            raise
        admitted_at = _first_admission_at(scanned.id, today)
        try:
            admission = _insert(fields | {"result": Result.ALREADY_ADMITTED})
        except IntegrityError:
            if (prior := _by_key(gate, key)) is not None:
                return _replay(prior)
            raise
    return _outcome(admission, scanned, admitted_at=admitted_at)
