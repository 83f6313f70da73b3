"""The cast for leave: olivia's stored membership holds the organiser role (as the directory keeps it).

(Models are imported inside the fixture: this module loads before Django is set up.)
"""

import pytest


@pytest.fixture
def team(cast):
    from core.models import GuildMember
    from leave import services
    from tests.cast import ORGANISER_ROLE_ID

    GuildMember.objects.filter(pk=cast.organiser.pk).update(role_ids=[ORGANISER_ROLE_ID])
    services.setup(cast.guild.id)
    return cast
