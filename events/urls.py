from django.urls import path

from .views import public

urlpatterns = [
    path("", public.home, name="home"),
    path("exhibitions/<slug:slug>/", public.exhibition_detail, name="exhibition"),
    path("sites/<slug:slug>/", public.site_detail, name="site"),
]
