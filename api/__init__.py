"""Muster's REST API (``/api/v1/``, django-ninja): a layer above the domains' services.

Requests authenticate with a per-guild API token (``api.tokens``); every change goes
through the same services, and so the same rules, as Discord and the admin.
"""
