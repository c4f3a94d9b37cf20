from django.urls import path

from .views import directory, imports, profile, signin

urlpatterns = [
    path("signin/", signin.PasswordSignInView.as_view(), name="signin"),
    path("signin/code/", signin.PasswordSignInView.as_view(), name="signin-code"),
    path("signin/password/", signin.PasswordSignInView.as_view(), name="signin-password"),
    path("signout/", signin.SignOutView.as_view(), name="signout"),
    path("me/business/<int:pk>/", profile.not_yet, name="vendor-profile"),
    path("me/business/<int:pk>/photos/<int:photo_pk>/delete/", profile.not_yet, name="vendor-photo-delete"),
    path("company/<int:pk>/", profile.not_yet, name="company"),
    path("organiser/vendors/", directory.not_yet, name="vendor-directory"),
    path("organiser/vendors/export.<str:fmt>", directory.not_yet, name="vendor-export"),
    path("organiser/vendors/<int:pk>/", directory.not_yet, name="vendor-detail"),
    path("organiser/imports/", imports.not_yet, name="registry-imports"),
    path("organiser/imports/<int:pk>/", imports.not_yet, name="registry-import"),
    path("organiser/imports/<int:pk>/confirm/", imports.not_yet, name="registry-import-confirm"),
    path("organiser/imports/<int:pk>/report.csv", imports.not_yet, name="registry-import-report"),
]
