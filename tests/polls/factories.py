"""Factories for polls and their options."""

import factory

from polls.models import Option, Poll
from tests.events.factories import NOW
from tests.factories import GuildFactory


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll
        skip_postgeneration_save = True

    guild = factory.SubFactory(GuildFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    channel_id = 700_000_000_000_000_002
    created_at = NOW

    @factory.post_generation
    def labels(poll, create, extracted, **kwargs):
        for position, label in enumerate(extracted or ("Yes", "No"), 1):
            Option.objects.create(poll=poll, position=position, label=label)
