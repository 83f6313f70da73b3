from django.urls import path

from jira_sync import views

app_name = "jira_sync"
urlpatterns = [
    path("connect/<str:token>", views.connect, name="connect"),
    path("oauth/callback", views.oauth_callback, name="oauth-callback"),
]
