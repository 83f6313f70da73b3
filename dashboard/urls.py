from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.guilds, name="guilds"),
    path("me/", views.me, name="me"),
]
