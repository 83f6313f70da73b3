"""allauth's Discord provider, pointed at ``DISCORD_API_BASE`` and ``DISCORD_OAUTH_AUTHORIZE_URL``.

allauth's own Discord adapter names discord.com in class attributes. This app registers a
provider with the same id (``discord``, so the callback stays
``/accounts/discord/login/callback/``) whose adapter reads its endpoints from the settings,
so that `make run` and the tests log in against the Discord sandbox. It is installed
instead of ``allauth.socialaccount.providers.discord``; allauth finds it as it finds its
own, through ``provider.py``'s ``provider_classes``.
"""
