from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("exhibitions/<slug:slug>/", views.exhibition_detail, name="exhibition"),
    path("sites/<slug:slug>/", views.site_detail, name="site"),
]
