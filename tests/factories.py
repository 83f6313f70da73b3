"""Factories for the small cast the tests are written around."""

import factory
from django.contrib.auth import get_user_model

from core.models import Guild, GuildMember, Member


class GuildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guild

    id = factory.Sequence(lambda n: 900_000_000_000_000_000 + n)
    name = factory.Sequence(lambda n: f"Guild {n}")
    timezone = "Europe/Paris"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    id = factory.Sequence(lambda n: 800_000_000_000_000_000 + n)
    username = factory.Sequence(lambda n: f"member{n}")
    display_name = factory.LazyAttribute(lambda m: m.username.title())


class GuildMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuildMember

    guild = factory.SubFactory(GuildFactory)
    member = factory.SubFactory(MemberFactory)


class SuperuserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = "admin"
    email = "admin@example.com"
    is_staff = True
    is_superuser = True
    password = factory.django.Password("correct horse battery staple")
