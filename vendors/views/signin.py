"""Sign-in and sign-out."""

from django.contrib.auth import views as auth_views

from vendors.forms import SignInForm


class PasswordSignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "vendors/signin.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass
