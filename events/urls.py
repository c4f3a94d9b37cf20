"""Events' URLs: `urlpatterns` under the language prefix, `unprefixed` for the public feeds (?lang=en)."""

from django.urls import path

from .views import calendar, editor, poster, public

urlpatterns = [
    path("", public.home, name="home"),
    path("exhibitions/<slug:slug>/", public.exhibition_detail, name="exhibition"),
    path("sites/<slug:slug>/", public.site_detail, name="site"),
    path("calendars/", calendar.subscribe, name="calendars"),
    path("organiser/calendar/", calendar.organiser_page, name="calendar-organiser"),
    path("exhibitions/<slug:slug>/poster.<str:fmt>", poster.exhibition_poster, name="exhibition-poster"),
    path("sites/<slug:slug>/poster.<str:fmt>", poster.site_poster, name="site-poster"),
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

unprefixed = [
    path("calendar/province.ics", calendar.province_feed, name="calendar-province"),
    path("calendar/exhibitions/<slug:slug>.ics", calendar.exhibition_feed, name="calendar-exhibition"),
    path("calendar/sites/<slug:slug>.ics", calendar.site_feed, name="calendar-site"),
    path("calendar/counties/<slug:slug>.ics", calendar.county_feed, name="calendar-county"),
]
