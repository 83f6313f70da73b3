from django.contrib import admin
from django.urls import include, path

from api import urls as api_urls
from core.views import healthz, healthz_live, healthz_ready, metrics
from discord_gateway.views import interactions
from events.views import calendar_feed
from jira_sync import urls as jira_urls

admin.site.site_header = "Muster"
admin.site.site_title = "Muster admin"
admin.site.index_title = "Organise"
# The admin's login page offers "Log in with Discord" beside the superusers' password form.
admin.site.login_template = "dashboard/admin_login.html"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Kubernetes' probes: liveness (the process answers), readiness (database and broker)
    path("healthz/live", healthz_live, name="healthz-live"),
    path("healthz/ready", healthz_ready, name="healthz-ready"),
    # Prometheus' scrape, behind METRICS_TOKEN (404 without it)
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("jira/", include(jira_urls)),
    # allauth: /accounts/discord/login/ and its callback, logout (SOCIALACCOUNT_ONLY: no passwords)
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/v1/", include(api_urls)),
    # HTTP interactions mode: the portal's Interactions Endpoint URL (404 without DISCORD_PUBLIC_KEY)
    path("discord/interactions", interactions, name="discord-interactions"),
    # A secret link per member or guild (events.calendars): no session, the token is the key.
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
