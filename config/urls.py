from django.contrib import admin
from django.urls import path

from core.views import healthz

admin.site.site_header = "Muster"
admin.site.site_title = "Muster admin"
admin.site.index_title = "Organise"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
