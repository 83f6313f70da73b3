from django.urls import path

from . import (
    views,
    views_activity,
    views_community,
    views_desk,
    views_events,
    views_guild,
    views_jira_sites,
    views_leave,
    views_logistics,
    views_members,
    views_polls,
    views_results,
    views_roster,
    views_settings,
    views_sheets_targets,
    views_standups,
    views_teams,
    views_templates,
    views_timeline,
    views_tokens,
)

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
    path("g/<int:guild_id>/polls/<int:poll_id>/edit/", views_polls.poll_edit, name="poll_edit"),
    # End of the guild pages of s24-dash-guild.
]

# Issue 16 part B and issue 17's dashboard side: a guild's members, activity, settings,
# custom commands, scheduled messages and API tokens.
guild = "g/<int:guild_id>/"
urlpatterns += [
    path(f"{guild}members/", views_members.members, name="members"),
    path(f"{guild}members/<int:membership_id>/organiser/", views_members.member_organiser, name="member_organiser"),
    path(f"{guild}activity/", views_activity.activity, name="activity"),
    path(f"{guild}settings/", views_settings.guild_settings, name="settings"),
    path(f"{guild}settings/areas/", views_settings.area_add, name="area_add"),
    path(f"{guild}settings/areas/<int:area_id>/remove/", views_settings.area_remove, name="area_remove"),
    path(f"{guild}settings/export-now/", views_settings.export_now, name="export_now"),
    path(f"{guild}settings/calendar/", views_settings.calendar_link, name="calendar_link"),
    path(f"{guild}settings/jira/add/", views_jira_sites.jira_site_add, name="jira_site_add"),
    path(f"{guild}settings/jira/<int:site_id>/", views_jira_sites.jira_site_edit, name="jira_site_edit"),
    path(f"{guild}settings/jira/<int:site_id>/delete/", views_jira_sites.jira_site_delete, name="jira_site_delete"),
    path(f"{guild}settings/jira/<int:site_id>/unlink/", views_jira_sites.jira_link_remove, name="jira_link_remove"),
    path(f"{guild}settings/sheets/add/", views_sheets_targets.sheets_target_add, name="sheets_target_add"),
    path(
        f"{guild}settings/sheets/<int:target_id>/", views_sheets_targets.sheets_target_edit, name="sheets_target_edit"
    ),
    path(
        f"{guild}settings/sheets/<int:target_id>/delete/",
        views_sheets_targets.sheets_target_delete,
        name="sheets_target_delete",
    ),
    path(f"{guild}commands/", views_community.commands, name="commands"),
    path(f"{guild}commands/create/", views_community.command_create, name="command_create"),
    path(f"{guild}commands/<int:command_id>/edit/", views_community.command_edit, name="command_edit"),
    path(f"{guild}commands/<int:command_id>/delete/", views_community.command_delete, name="command_delete"),
    path(f"{guild}schedules/", views_community.schedule_list, name="schedules"),
    path(f"{guild}schedules/create/", views_community.schedule_create, name="schedule_create"),
    path(f"{guild}schedules/<int:schedule_id>/edit/", views_community.schedule_edit, name="schedule_edit"),
    path(f"{guild}schedules/<int:schedule_id>/pause/", views_community.schedule_pause, name="schedule_pause"),
    path(f"{guild}schedules/<int:schedule_id>/resume/", views_community.schedule_resume, name="schedule_resume"),
    path(f"{guild}schedules/<int:schedule_id>/delete/", views_community.schedule_delete, name="schedule_delete"),
    path(f"{guild}tasks/", views_desk.task_list, name="tasks"),
    path(f"{guild}tasks/new/", views_desk.task_create, name="task_create"),
    path(f"{guild}tasks/<int:task_id>/", views_desk.task_edit, name="task_edit"),
    path(f"{guild}tasks/<int:task_id>/done/", views_desk.task_done, name="task_done"),
    path(f"{guild}leave/", views_leave.leave, name="leave"),
    path(f"{guild}leave/types/add/", views_leave.leave_type_add, name="leave_type_add"),
    path(f"{guild}leave/types/<int:type_id>/", views_leave.leave_type, name="leave_type"),
    path(f"{guild}leave/holidays/add/", views_leave.leave_holiday_add, name="leave_holiday_add"),
    path(
        f"{guild}leave/holidays/<int:holiday_id>/remove/", views_leave.leave_holiday_remove, name="leave_holiday_remove"
    ),
    path(f"{guild}leave/requests/<int:request_id>/decide/", views_leave.leave_decide, name="leave_decide"),
    path(f"{guild}leave/requests/<int:request_id>/cancel/", views_leave.leave_cancel, name="leave_cancel"),
    path(f"{guild}tokens/", views_tokens.token_list, name="tokens"),
    path(f"{guild}tokens/<int:token_id>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]

# Issue 18's dashboard side: event templates, a date poll's pick, Discord's native events.
urlpatterns += [
    path(f"{guild}templates/", views_templates.template_list, name="templates"),
    path(f"{guild}templates/<int:template_id>/use/", views_templates.template_use, name="template_use"),
    path(f"{guild}templates/<int:template_id>/delete/", views_templates.template_delete, name="template_delete"),
    path(f"{guild}events/<int:event_id>/template/", views_templates.template_save, name="template_save"),
    path(f"{guild}polls/<int:poll_id>/decide/", views_polls.poll_decide, name="poll_decide"),
    path(f"{guild}settings/native/", views_settings.native_events, name="native_events"),
    path(f"{guild}settings/spaces/", views_settings.space_defaults, name="space_defaults"),
]

# Issue 16's last gap: an event's rides and rooms, as the carpool admin offers them.
event = f"{guild}events/<int:event_id>/logistics/"
urlpatterns += [
    path(event, views_logistics.logistics_page, name="event_logistics"),
    path(f"{event}logistics.csv", views_logistics.logistics_csv, name="event_logistics_csv"),
    path(f"{event}assign/", views_logistics.ride_assign, name="ride_assign"),
    path(f"{event}change/", views_logistics.ride_change, name="ride_change"),
    path(f"{event}cancel/", views_logistics.ride_cancel, name="ride_cancel"),
    path(f"{event}nudge/", views_logistics.nudge_set, name="nudge_set"),
    path(f"{event}nudge/remove/", views_logistics.nudge_remove, name="nudge_remove"),
    path(f"{event}room/change/", views_logistics.room_change, name="room_change"),
    path(f"{event}room/cancel/", views_logistics.room_cancel, name="room_cancel"),
    path(f"{event}bed/free/", views_logistics.bed_free, name="bed_free"),
    path(f"{event}seat/free/", views_logistics.seat_free, name="seat_free"),
    path(f"{event}seat/lock/", views_logistics.seat_lock, name="seat_lock"),
]

# Issue 20's standups: the guild's standups, their history per standup and per member, and its CSV.
urlpatterns += [
    path(f"{guild}standups/", views_standups.standup_list, name="standups"),
    path(f"{guild}standups/create/", views_standups.standup_create, name="standup_create"),
    path(f"{guild}standups/<int:standup_id>/", views_standups.standup_history, name="standup_history"),
    path(
        f"{guild}standups/<int:standup_id>/history.csv", views_standups.standup_history_csv, name="standup_history_csv"
    ),
    path(f"{guild}standups/<int:standup_id>/edit/", views_standups.standup_edit, name="standup_edit"),
    path(f"{guild}standups/<int:standup_id>/pause/", views_standups.standup_pause, name="standup_pause"),
    path(f"{guild}standups/<int:standup_id>/resume/", views_standups.standup_resume, name="standup_resume"),
    path(f"{guild}standups/<int:standup_id>/delete/", views_standups.standup_delete, name="standup_delete"),
    path(
        f"{guild}standups/members/<int:member_id>/",
        views_standups.member_standup_history,
        name="member_standup_history",
    ),
    path(
        f"{guild}standups/members/<int:member_id>/history.csv",
        views_standups.member_standup_history_csv,
        name="member_standup_history_csv",
    ),
]

# Issue 19's results: the archive of past events, an event's results, the standings, a member's attendance.
urlpatterns += [
    path(f"{guild}archive/", views_results.archive, name="archive"),
    path(f"{guild}archive/events/<int:event_id>/", views_results.event_results, name="event_results"),
    path(f"{guild}archive/members/<int:member_id>/", views_results.member_attendance, name="member_attendance"),
    path(f"{guild}standings/", views_results.season_standings, name="standings"),
    path(f"{guild}standings/<int:season_id>/tie-breaks/", views_results.season_tie_breaks, name="season_tie_breaks"),
]

# Issue 19's teams: an event's teams, drag and drop with a plain form beneath.
teams = f"{guild}events/<int:event_id>/teams/"
urlpatterns += [
    path(teams, views_teams.teams_page, name="event_teams"),
    path(f"{teams}create/", views_teams.team_create, name="team_create"),
    path(f"{teams}rename/", views_teams.team_rename, name="team_rename"),
    path(f"{teams}delete/", views_teams.team_delete, name="team_delete"),
    path(f"{teams}place/", views_teams.team_place, name="team_place"),
    path(f"{teams}remove/", views_teams.team_unplace, name="team_unplace"),
    path(f"{teams}captain/", views_teams.team_captain, name="team_captain"),
    path(f"{teams}auto/", views_teams.team_auto, name="team_auto"),
    path(f"{teams}spaces/", views_teams.team_spaces, name="team_spaces"),
]

# Issue 19's event-day timeline: an event's items, added, edited, removed and shifted.
timeline = f"{guild}events/<int:event_id>/timeline/"
urlpatterns += [
    path(timeline, views_timeline.timeline, name="event_timeline"),
    path(f"{timeline}shift/", views_timeline.timeline_shift, name="timeline_shift"),
    path(f"{timeline}<int:item_id>/", views_timeline.item_edit, name="timeline_item_edit"),
    path(f"{timeline}<int:item_id>/remove/", views_timeline.item_remove, name="timeline_item_remove"),
]

# Issue 19's roster sync: import the club's roster, compare it with the guild, apply the Member role.
urlpatterns += [
    path(f"{guild}roster/", views_roster.roster_page, name="roster"),
    path(f"{guild}roster/import/", views_roster.roster_import, name="roster_import"),
    path(f"{guild}roster/role/", views_roster.roster_role, name="roster_role"),
    path(f"{guild}roster/apply/", views_roster.roster_apply, name="roster_apply"),
    path(f"{guild}roster/roles/", views_roster.roster_roles, name="roster_roles"),
]
