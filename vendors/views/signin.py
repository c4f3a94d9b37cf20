"""Sign-in and sign-out: vendors and company managers by mobile and an SMS code, organisers by password."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from bazaarche.text import digits_for_language
from vendors import limits, otp
from vendors.forms import CodeForm, MobileForm, SignInForm

# Kept in the session between the steps: the number waiting for its code, the id of the code this
# sign-in asked for (only that one is checked), and where to go afterwards.
SESSION_MOBILE = "signin_mobile"
SESSION_CODE = "signin_code"
SESSION_NEXT = "signin_next"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PasswordSignInView(auth_views.LoginView):
    """Organisers, staff and the admin: username (or mobile) and password, with SignInForm's limits."""

    form_class = SignInForm
    template_name = "vendors/signin_password.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        limits.remember_browser(self.request, response, form.cleaned_data["username"])
        return response


class SignOutView(auth_views.LogoutView):
    pass


def admin_signin(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in is the password page: Django's own admin form counts no failures."""
    next_url = _safe_next(request, request.GET.get("next")) or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        # The password page would send a signed-in user straight back here: say so instead.
        messages.error(request, _("Your account may not open the admin pages."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    return redirect(f"{reverse('signin-password')}?{urlencode({'next': next_url})}")


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _spaced(mobile: str) -> str:
    """0916 123 4567, in the active language's digits: easier to check at a glance."""
    return digits_for_language(f"{mobile[:4]} {mobile[4:7]} {mobile[7:]}")


def _request_code(request: HttpRequest, mobile: str) -> otp.SentCode:
    replaces = request.session.get(SESSION_CODE) if request.session.get(SESSION_MOBILE) == mobile else None
    sent = otp.request_code(
        mobile,
        limits.client_address(request),
        replaces=replaces,
        known_browser=limits.is_known_browser(request, mobile),
    )
    request.session[SESSION_MOBILE] = mobile
    request.session[SESSION_CODE] = sent.id
    return sent


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Step one: the registry mobile number; a code goes out by SMS."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.method == "POST":
        form = MobileForm(request.POST)
        if form.is_valid():
            try:
                _request_code(request, form.cleaned_data["mobile"])
            except otp.OtpFailure as failure:
                form.add_error("mobile", failure.message)
            else:
                request.session[SESSION_NEXT] = next_url
                return redirect("signin-code")
    else:
        form = MobileForm(initial={"mobile": request.session.get(SESSION_MOBILE, "")})
    return render(request, "vendors/signin.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the SMS; on success, sign in. Also "send the code again"."""
    mobile = request.session.get(SESSION_MOBILE)
    sent_id = request.session.get(SESSION_CODE)
    if request.user.is_authenticated:
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    if not (mobile and sent_id):
        return redirect("signin")
    form = CodeForm()
    resend_error = ""
    if request.method == "POST" and "resend" in request.POST:
        try:
            _request_code(request, mobile)
        except otp.OtpFailure as failure:
            resend_error = failure.message
        else:
            # LRI … PDI keep the spaced digit groups in order inside a right-to-left sentence.
            shown = f"\u2066{_spaced(mobile)}\u2069"
            messages.success(request, _("A new code was sent to %(mobile)s.") % {"mobile": shown})
            return redirect("signin-code")
    elif request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                user = otp.verify_code(sent_id, form.cleaned_data["code"], limits.client_address(request))
            except otp.OtpFailure as failure:
                form.add_error("code", failure.message)
            else:
                next_url = _safe_next(request, request.session.pop(SESSION_NEXT, ""))
                del request.session[SESSION_MOBILE]
                del request.session[SESSION_CODE]
                # login() gives the session a new key, so a key fixed before sign-in is worthless.
                login(request, user, backend=MODEL_BACKEND)
                response = redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
                limits.remember_browser(request, response, mobile)
                return response
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    return render(
        request,
        "vendors/signin_code.html",
        {
            "form": form,
            "mobile": _spaced(mobile),
            "minutes": digits_for_language(str(minutes)),
            "minutes_n": minutes,
            "resend_error": resend_error,
        },
    )
