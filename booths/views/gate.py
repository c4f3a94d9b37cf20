"""The gate: the check-in API for gate staff, the phone page that scans, and organisers' gate tokens."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from bazaarche.api_errors import api_error as _error
from bazaarche.bilingual import each
from bazaarche.text import normalize
from booths.gate import cards
from booths.gate.checkin import (
    IDEMPOTENCY_KEY_MAX,
    GateRefused,
    admitted_today,
    authenticate_gate,
    check_in,
    create_gate_token,
    revoke_gate_token,
)
from booths.models import Admission, GateToken, Pass
from booths.permissions import can_manage_gate_tokens, can_view_portrait, gate_can_view_portrait
from events.models import Site

NEW_KEY_SESSION = "gate_new_key"


# --- API ----------------------------------------------------------------------------------------


def _gate_from(request) -> GateToken | None:
    scheme, _sep, key = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() not in ("token", "bearer"):
        return None
    return authenticate_gate(key.strip())


def _titles(site: Site) -> dict[str, str]:
    """The site's title as each language shows it (the English falls back to the Persian)."""
    return each(lambda: site.title)


def _unauthorised() -> JsonResponse:
    return _error(
        401, "unauthorised", _("Sign in with a valid gate key. This key is unknown or has been revoked.")
    )


@csrf_exempt
@never_cache
def checkin_api(request):
    """POST {"code", "site"} with `Authorization: Token <key>`: the scan's result, recorded."""
    if request.method != "POST":
        response = _error(405, "method_not_allowed", _("Send the scan with POST."))
        response["Allow"] = "POST"
        return response
    gate = _gate_from(request)
    if gate is None:
        return _unauthorised()
    try:
        data = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        return _error(400, "bad_request", _('Send a JSON object: {"code": "…", "site": "…"}.'))
    code, site_slug = data.get("code"), data.get("site")
    if not isinstance(code, str) or not isinstance(site_slug, str) or not site_slug:
        return _error(400, "bad_request", _('"code" and "site" must both be given as text.'))
    key = request.headers.get("Idempotency-Key") or data.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or len(key) > IDEMPOTENCY_KEY_MAX):
        return _error(400, "bad_request", _("The idempotency key must be text of at most 100 characters."))
    try:
        outcome = check_in(gate, code, site_slug, idempotency_key=key)
    except GateRefused as refused:
        if refused.code == "revoked_gate":  # revoked between authentication and the scan
            return _unauthorised()
        return _error(
            403,
            refused.code,
            refused.message,
            gate_site=refused.site.slug,
            gate_site_title=_titles(refused.site),
        )
    return JsonResponse(outcome.as_json(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@never_cache
def gate_api(request):
    """GET with `Authorization: Token <key>`: which gate and site the key is for (the page signs in with it)."""
    gate = _gate_from(request)
    if gate is None:
        return _unauthorised()
    site = gate.site
    return JsonResponse(
        {
            "gate": gate.name,
            "site": site.slug,
            "site_title": _titles(site),
            "admitted_today": admitted_today(site.pk, timezone.localdate()),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@never_cache
@require_GET
def portrait(request, pk: int):
    """The photo a pass's holder added of themself: for the gate of the pass's site once it has
    scanned the pass today (with its key), and for the site's organisers (signed in). Everyone
    else, and a pass without a portrait, gets the same 404."""
    pass_obj = (
        Pass.objects.select_related("site", "application__vendor")
        .filter(pk=pk, holder=Pass.Holder.VENDOR)
        .first()
    )
    vendor = pass_obj.application.vendor if pass_obj is not None else None
    if vendor is None or not vendor.portrait:
        return _no_portrait()
    gate = _gate_from(request)
    if gate is not None:
        allowed = gate_can_view_portrait(gate, pass_obj, timezone.localdate())
    else:
        allowed = can_view_portrait(request.user, pass_obj)
    if not allowed:
        return _no_portrait()
    try:
        image = vendor.portrait.open("rb")
    except OSError:  # the row names a file that is gone
        return _no_portrait()
    return FileResponse(image, content_type="image/jpeg")


def _no_portrait() -> JsonResponse:
    return _error(404, "not_found", _("There is no such address in the API."))


# --- the gate page ------------------------------------------------------------------------------

# WebAssembly (the QR reader used where the browser has no BarcodeDetector) needs 'wasm-unsafe-eval';
# only this page gets it, and it still allows no eval() of JavaScript and nothing from another host.
GATE_CSP = {
    **settings.SECURE_CSP,
    "script-src": [*settings.SECURE_CSP["script-src"], CSP.WASM_UNSAFE_EVAL],
    "img-src": [*settings.SECURE_CSP["img-src"], "blob:"],
    "media-src": [CSP.SELF, "blob:", "mediastream:"],
}


def _page_strings() -> dict[str, str]:
    """What gate.js says, translated here (the script itself holds no wording)."""
    strings = {f"result_{value}": str(label) for value, label in Admission.Result.choices}
    strings |= {
        "checking": gettext("Checking…"),
        "retrying": gettext("No connection. Trying again (%(n)s)…"),
        "gave_up": gettext(
            "No answer from the server. Check the connection and scan again: it will not admit twice."
        ),
        "starting": gettext("Starting the camera…"),
        "aim": gettext("Hold the pass's QR code in the frame."),
        "no_camera": gettext("The camera is not available. Type the code from the pass below."),
        "no_detector": gettext("This browser cannot read QR codes. Type the code from the pass below."),
        "bad_key": gettext("This key is unknown or has been revoked. Ask the organiser for a new one."),
        "signed_in": gettext("Gate: %(gate)s · %(site)s"),
        "helper_of": gettext("Helper of %(vendor)s"),
        "booth": gettext("Booth %(booth)s · %(hall)s"),
        "no_portrait": gettext("No photo of this person: check the name against an ID card."),
        "portrait_of": gettext("Photo of %(name)s"),
        "admitted_today": gettext("Admitted today: %(n)s"),
        "error": gettext("Something went wrong. Try again."),
    }
    return strings


@csp_override(GATE_CSP)
def gate_page(request):
    return render(request, "booths/gate/gate.html", {"strings": _page_strings()})


# --- organisers' gate tokens --------------------------------------------------------------------


class GateTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the gate or person"),
        max_length=100,
        help_text=_("For example: main gate, or the staff member's name."),
    )

    def clean_name(self) -> str:
        name = normalize(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the gate a name."))
        return name


def _managed_site(request, slug: str) -> Site:
    """Sites outside the organiser's scope do not exist for them (404, not 403)."""
    site = get_object_or_404(Site.objects.select_related("county", "exhibition"), slug=slug)
    if not can_manage_gate_tokens(request.user, site):
        raise Http404
    return site


def _sign_in_link(request, key: str) -> str:
    """The gate page with the key in its fragment: the phone that opens it once is signed in, and a
    fragment is never sent to a server, so the key stays out of every access log."""
    return request.build_absolute_uri(reverse("gate")) + "#key=" + key


@never_cache  # the page may carry a new key: no browser or proxy may keep a copy
@login_required
def gate_tokens(request, slug: str):
    site = _managed_site(request, slug)
    status = 200
    if request.method == "POST":
        form = GateTokenForm(request.POST)
        if form.is_valid():
            _token, key = create_gate_token(site, form.cleaned_data["name"], created_by=request.user)
            # Shown once, on the page the redirect lands on; only its hash is kept.
            request.session[NEW_KEY_SESSION] = {
                "site": site.slug,
                "key": key,
                "name": form.cleaned_data["name"],
            }
            return redirect("gate-tokens", slug=site.slug)
        status = 400
    else:
        form = GateTokenForm()
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    if new_key and new_key.get("site") != site.slug:
        new_key = None
    if new_key:
        link = _sign_in_link(request, new_key["key"])
        # Built by us from the link alone (one SVG path): nothing in it comes from a user.
        new_key |= {"link": link, "qr": mark_safe(cards.qr_svg(link))}
    tokens = (
        GateToken.objects.filter(site=site)
        .select_related("created_by")
        .annotate(
            n_scans=Count("admissions"),
            n_admitted=Count("admissions", filter=Q(admissions__result="admitted")),
        )
        .order_by("revoked_at", "-created_at", "pk")
    )
    return render(
        request,
        "booths/gate/tokens.html",
        {"site": site, "form": form, "tokens": tokens, "new_key": new_key},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def gate_token_revoke(request, slug: str, pk: int):
    """GET asks for confirmation; only POST revokes."""
    site = _managed_site(request, slug)
    token = get_object_or_404(
        GateToken.objects.annotate(n_admitted=Count("admissions", filter=Q(admissions__result="admitted"))),
        pk=pk,
        site=site,
    )
    if request.method == "GET":
        if token.revoked_at is not None:
            return redirect("gate-tokens", slug=site.slug)
        return render(request, "booths/gate/revoke.html", {"site": site, "token": token})
    if revoke_gate_token(token):
        messages.success(
            request,
            gettext("Gate key “%(name)s” revoked: it no longer admits anyone.") % {"name": token.name},
        )
    return redirect("gate-tokens", slug=site.slug)
