from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import MusterDiscordProvider

urlpatterns = default_urlpatterns(MusterDiscordProvider)
