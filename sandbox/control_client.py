"""What every stand-in's synchronous control client shares: one httpx client on ``/_control``."""

from __future__ import annotations

from typing import Self

import httpx


class ControlClient:
    """Base of ``JiraControl`` and ``SheetsControl``: requests, JSON answers, closing."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        # trust_env=False: a proxy from the environment must never see loopback traffic
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/_control", timeout=timeout, trust_env=False)

    def _call(self, method: str, path: str = "", **kwargs):
        response = self._http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
