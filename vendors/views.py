"""Sign-in and sign-out."""

from django.contrib.auth import views as auth_views

from .forms import SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "vendors/signin.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass
