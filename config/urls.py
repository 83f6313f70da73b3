from django.contrib import admin
from django.urls import include, path

from core.views import healthz
from jira_sync import urls as jira_urls

admin.site.site_header = "Muster"
admin.site.site_title = "Muster admin"
admin.site.index_title = "Organise"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("jira/", include(jira_urls)),
]
