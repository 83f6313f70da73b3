"""The interaction framework every domain uses; see ARCHITECTURE.md.

Workers: ``Interaction`` in, ``Reply`` / ``Update`` out, handlers registered with
``@command`` / ``@component`` / ``@modal``, custom_ids declared once as ``CustomId``.
The gateway side of a command is in ``core.interactions.declare``.
"""

from core.interactions.custom_ids import CustomId
from core.interactions.routing import command, command_fallback, component, modal
from core.interactions.values import Actor, Interaction, Reply, Update

__all__ = ["Actor", "CustomId", "Interaction", "Reply", "Update", "command", "command_fallback", "component", "modal"]
