from django.contrib import admin
from django.urls import include, path

from api import urls as api_urls
from core.views import healthz

admin.site.site_header = "Muster"
admin.site.site_title = "Muster admin"
admin.site.index_title = "Organise"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
]
