"""OAuth2 for users: the authorization code grant, refresh, client credentials, revocation.

Follows discord/discord-api-docs ``developers/topics/oauth2.mdx``: ``/oauth2/authorize``
(a consent page), ``/api/oauth2/token`` and ``/api/oauth2/token/revoke`` (form-encoded
only), and Bearer tokens that ``/users/@me`` and ``/users/@me/guilds`` accept.
"""

from .grants import OAuth2State
from .routes import install

__all__ = ["OAuth2State", "install"]
