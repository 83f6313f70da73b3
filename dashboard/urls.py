from django.urls import path

from . import views, views_guild

app_name = "dashboard"
urlpatterns = [
    path("", views.guilds, name="guilds"),
    path("me/", views.me, name="me"),
    # Guild pages: overview, events, polls (s24-dash-guild).
    path("g/<int:guild_id>/", views_guild.overview, name="guild"),
]
