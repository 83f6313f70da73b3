"""The gateway: websocket sessions, sequence numbers, resume and event fan-out."""

from .hub import GatewayHub, Session

__all__ = ["GatewayHub", "Session"]
