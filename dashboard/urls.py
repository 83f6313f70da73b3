from django.urls import path

from . import views, views_events, views_guild, views_polls

app_name = "dashboard"
urlpatterns = [
    path("", views.guilds, name="guilds"),
    path("me/", views.me, name="me"),
    # Guild pages: overview, events, polls (s24-dash-guild).
    path("g/<int:guild_id>/", views_guild.overview, name="guild"),
    path("g/<int:guild_id>/log/", views_guild.organiser_log, name="log"),
    path("g/<int:guild_id>/events/", views_events.event_list, name="events"),
    path("g/<int:guild_id>/events/new/", views_events.event_create, name="event_create"),
    path("g/<int:guild_id>/events/<int:event_id>/", views_events.event_detail, name="event"),
    path("g/<int:guild_id>/events/<int:event_id>/edit/", views_events.event_edit, name="event_edit"),
    path("g/<int:guild_id>/events/<int:event_id>/cancel/", views_events.event_cancel, name="event_cancel"),
    path("g/<int:guild_id>/events/<int:event_id>/roster.csv", views_events.roster_csv, name="event_roster"),
    path("g/<int:guild_id>/events/<int:event_id>/remove/", views_events.registration_remove, name="event_remove"),
    path("g/<int:guild_id>/events/<int:event_id>/move/", views_events.registration_move, name="event_move"),
    path("g/<int:guild_id>/polls/", views_polls.poll_list, name="polls"),
    path("g/<int:guild_id>/polls/new/", views_polls.poll_create, name="poll_create"),
    path("g/<int:guild_id>/polls/<int:poll_id>/", views_polls.poll_detail, name="poll"),
    path("g/<int:guild_id>/polls/<int:poll_id>/close/", views_polls.poll_close, name="poll_close"),
    # End of the guild pages of s24-dash-guild.
]
