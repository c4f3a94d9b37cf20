from django.urls import path

from .views import editor, public

urlpatterns = [
    path("", public.home, name="home"),
    path("exhibitions/<slug:slug>/", public.exhibition_detail, name="exhibition"),
    path("sites/<slug:slug>/", public.site_detail, name="site"),
    # --- visitors: begin ---
    # --- visitors: end ---
    # --- calendar: begin ---
    # --- calendar: end ---
    path("organiser/exhibitions/", editor.exhibition_list, name="editor-exhibitions"),
    path("organiser/exhibitions/new/", editor.exhibition_new, name="editor-exhibition-new"),
    path("organiser/exhibitions/<slug:slug>/", editor.exhibition_edit, name="editor-exhibition"),
    path(
        "organiser/exhibitions/<slug:slug>/publish/",
        editor.exhibition_publish,
        name="editor-exhibition-publish",
    ),
    path("organiser/exhibitions/<slug:slug>/sites/new/", editor.site_new, name="editor-site-new"),
    path("organiser/sites/<slug:slug>/edit/", editor.site_edit, name="editor-site"),
    path("organiser/sites/<slug:slug>/exceptions/", editor.exception_add, name="editor-exception-add"),
    path(
        "organiser/sites/<slug:slug>/exceptions/<int:pk>/remove/",
        editor.exception_remove,
        name="editor-exception-remove",
    ),
    path("organiser/sites/<slug:slug>/holidays/", editor.holidays_add, name="editor-holidays-add"),
]
