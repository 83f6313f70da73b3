"""``python manage.py api_token create|list|revoke``: API tokens from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from core.errors import RuleError
from core.models import Guild


class Command(BaseCommand):
    help = "Create, list or revoke REST API tokens. A new token is printed once; Muster keeps only its hash."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token for one guild and print it")
        create.add_argument("--guild", required=True, help="the guild's Discord id")
        create.add_argument("--scopes", default="read", help="read, write or read,write (default read)")
        create.add_argument("--expires", default="90d", help="lifetime in days, 1d to 365d (default 90d)")
        create.add_argument("--name", default="", help="what will use it (default: api-token-<date>)")
        listing = actions.add_parser("list", help="list a guild's tokens (never the tokens themselves)")
        listing.add_argument("--guild", required=True)
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except RuleError as error:
            raise CommandError(error.message) from None

    def _guild(self, text: str) -> Guild:
        guild = Guild.objects.filter(id=int(text)).first() if text.isdigit() and len(text) <= 19 else None
        if guild is None:
            raise CommandError(f"No guild {text!r}: give the guild's Discord id (the admin lists them under Guilds).")
        return guild

    def _create(self, *, guild, scopes, expires, name, **_):
        now = timezone.now()
        request = tokens.TokenRequest(
            guild=self._guild(guild),
            name=name or f"api-token-{now:%Y-%m-%d}",
            scopes=tokens.parse_scopes(scopes),
            lifetime=tokens.parse_lifetime(expires),
        )
        row, token = tokens.create_token(request, now=now)
        self.stderr.write(
            f"Token {row.prefix} for {row.guild.name}, scopes {','.join(row.scopes)}, "
            f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC. It is shown this once:"
        )
        self.stdout.write(token)

    def _list(self, *, guild, **_):
        for row in ApiToken.objects.filter(guild=self._guild(guild)):
            state = "revoked" if row.revoked_at else ("expired" if row.expires_at <= timezone.now() else "live")
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
            self.stdout.write(f"{row.prefix}  {state:7}  {','.join(row.scopes):10}  last used {used}  {row.name}")

    def _revoke(self, *, prefix, **_):
        row = ApiToken.objects.filter(prefix=prefix).first()
        if row is None:
            raise CommandError(f"No token with prefix {prefix!r}: `api_token list --guild G` shows them.")
        if not tokens.revoke(row.id, now=timezone.now()):
            raise CommandError(f"Token {prefix} was already revoked.")
        self.stdout.write(f"Revoked {prefix}.")
