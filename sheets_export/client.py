"""The one Google Sheets client: service-account credentials, timeouts, and what errors mean.

Only workers build it. The key file comes from ``GOOGLE_APPLICATION_CREDENTIALS`` or
``GOOGLE_SERVICE_ACCOUNT_FILE`` (never the database); ``SHEETS_API_ENDPOINT`` points it at
the sandbox. Every request has ``SHEETS_REQUEST_TIMEOUT``. Requests are not retried here:
the run retries from its read (``services.run_export``), so a write that Google applied
but answered with a 5xx is seen by the re-read instead of being applied twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

import google_auth_httplib2
import httplib2
from django.conf import settings
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
CREDENTIAL_VARIABLES = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_SERVICE_ACCOUNT_FILE")


class ExportError(Exception):
    """A failed export, in one sentence for the organiser; ``retryable`` if trying again can help."""

    def __init__(self, sentence: str, *, retryable: bool = False, kind: str = "error"):
        super().__init__(sentence)
        self.sentence = sentence
        self.retryable = retryable
        self.kind = kind


def key_file() -> str:
    for name in CREDENTIAL_VARIABLES:
        path = os.environ.get(name)
        if path:
            return path
    raise ExportError(
        "Muster has no Google service account yet: the operator must set GOOGLE_APPLICATION_CREDENTIALS.",
        kind="no_account",
    )


@lru_cache(maxsize=4)
def _key(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        raise ExportError(
            "Muster's Google service account key cannot be read: "
            "the operator must check GOOGLE_APPLICATION_CREDENTIALS.",
            kind="no_account",
        ) from None


def account_email() -> str:
    """The service account's address, the one people share their spreadsheet with."""
    return _key(key_file()).get("client_email", "Muster's service account")


@dataclass
class Sheets:
    """A built ``sheets v4`` service and its account's address."""

    service: object
    email: str

    def execute(self, request):
        """Run one request, turning Google's answer into an ``ExportError`` when it fails."""
        try:
            return request.execute(num_retries=0)
        except HttpError as exc:
            raise failure(exc.status_code, _reason(exc), self.email) from None
        except (TimeoutError, OSError, httplib2.HttpLib2Error) as exc:
            raise ExportError(
                f"Google Sheets did not answer in time ({type(exc).__name__}): Muster will try again at the next run.",
                retryable=True,
                kind="unavailable",
            ) from None


def connect() -> Sheets:
    """The Sheets client for this worker, from the service account in the environment."""
    info = _key(key_file())
    try:
        credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except (ValueError, KeyError):
        raise ExportError(
            "Muster's Google service account key is not a service-account key: the operator must check it.",
            kind="no_account",
        ) from None
    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=settings.SHEETS_REQUEST_TIMEOUT_S)
    )
    service = build(
        "sheets",
        "v4",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": settings.SHEETS_API_ENDPOINT},
    )
    return Sheets(service=service, email=info.get("client_email", "Muster's service account"))


def _reason(exc: HttpError) -> str:
    try:
        error = json.loads(exc.content.decode("utf-8")).get("error", {})
    except (ValueError, AttributeError, UnicodeDecodeError):
        return ""
    return f"{error.get('status', '')} {error.get('message', '')}".strip()


def failure(status: int, reason: str, email: str) -> ExportError:
    """What a Google error means for the organiser, in one sentence."""
    if status == 403 and "PERMISSION_DENIED" in reason and "scope" not in reason.lower():
        return ExportError(f"Muster can't open this spreadsheet: share it with {email} as Editor.", kind="not_shared")
    if status == 404:
        return ExportError(
            "This spreadsheet no longer exists (it was deleted, or the link is wrong): "
            "connect another one with /export connect.",
            kind="deleted",
        )
    if status == 429:
        return ExportError(
            "Google's quota for Muster is used up for now (60 writes a minute): Muster will try again at the next run.",
            retryable=True,
            kind="quota",
        )
    if status >= 500:
        return ExportError(
            f"Google Sheets is not answering (HTTP {status}): Muster will try again at the next run.",
            retryable=True,
            kind="unavailable",
        )
    if status == 400 and "cells in the workbook above the limit" in reason:
        return ExportError(
            "This spreadsheet is full: Google allows 10,000,000 cells in a spreadsheet; "
            "remove tabs you no longer need or connect a new spreadsheet.",
            kind="cell_limit",
        )
    if status == 401:
        return ExportError(
            "Google refused Muster's service account: the operator must check its key.", kind="no_account"
        )
    return ExportError(f"Google Sheets refused the export (HTTP {status}: {reason[:200]}).", kind="refused")
