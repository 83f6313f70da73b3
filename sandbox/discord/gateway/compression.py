"""Transport compression: one stream per connection, each message ending in a sync flush."""

from __future__ import annotations

import zlib

try:  # zstd-stream is only asked for by clients that have zstandard themselves
    import zstandard
except ImportError:  # pragma: no cover - depends on the environment
    zstandard = None

SUPPORTED = {"zlib-stream"} | ({"zstd-stream"} if zstandard else set())


class TransportCompressor:
    """Compress outgoing frames the way ``?compress=`` asked for; ``None`` sends text."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind if kind in SUPPORTED else None
        if self.kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif self.kind == "zstd-stream":
            self._zstd = zstandard.ZstdCompressor().compressobj()

    def encode(self, text: str) -> str | bytes:
        """The websocket message for ``text``: bytes when compressing, else the text itself."""
        raw = text.encode()
        if self.kind == "zlib-stream":
            # Z_SYNC_FLUSH ends each message with 00 00 ff ff, which clients look for.
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self.kind == "zstd-stream":
            return self._zstd.compress(raw) + self._zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        return text
