from django.urls import path

from .views import directory, imports, profile, signin

urlpatterns = [
    path("signin/", signin.signin, name="signin"),
    path("signin/code/", signin.signin_code, name="signin-code"),
    path("signin/password/", signin.PasswordSignInView.as_view(), name="signin-password"),
    path("signout/", signin.SignOutView.as_view(), name="signout"),
    path("me/business/<int:pk>/", profile.vendor_profile, name="vendor-profile"),
    path(
        "me/business/<int:pk>/photos/<int:photo_pk>/delete/", profile.delete_photo, name="vendor-photo-delete"
    ),
    path("me/business/<int:pk>/portrait/", profile.own_portrait, name="vendor-portrait"),
    path("company/<int:pk>/", profile.company, name="company"),
    path("organiser/vendors/", directory.vendor_directory, name="vendor-directory"),
    path("organiser/vendors/export.<str:fmt>", directory.vendor_export, name="vendor-export"),
    path("organiser/vendors/<int:pk>/", directory.vendor_detail, name="vendor-detail"),
    path("organiser/imports/", imports.registry_imports, name="registry-imports"),
    path("organiser/imports/<int:pk>/", imports.registry_import, name="registry-import"),
    path(
        "organiser/imports/<int:pk>/confirm/", imports.registry_import_confirm, name="registry-import-confirm"
    ),
    path(
        "organiser/imports/<int:pk>/report.csv", imports.registry_import_report, name="registry-import-report"
    ),
]
