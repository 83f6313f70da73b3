"""The Sheets stand-in's mutable state: spreadsheets, service accounts, tokens, quotas, counters."""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import dataclass, field

from sandbox.sheets.auth import AccessToken, ServiceAccount
from sandbox.sheets.quota import MinuteQuota
from sandbox.sheets.workbook import Spreadsheet

ID_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass
class SheetsState:
    """Everything the server knows; handlers and the control API share it via ``app["state"]``."""

    write_quota: MinuteQuota
    read_quota: MinuteQuota
    cell_limit: int
    seed: int = 0
    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    default_account: ServiceAccount | None = None
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    requests: Counter = field(default_factory=Counter)  # "spreadsheets.values.batchUpdate" -> n
    rng: random.Random = field(default_factory=random.Random)
    # spreadsheetId -> account -> {"requests": n, "cells": n}: successful writes only
    writes: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def count_write(self, spreadsheet_id: str | None, account: str, cells: int) -> None:
        """One successful write request by ``account`` (an API account or a person) and its cells."""
        tally = self.writes.setdefault(spreadsheet_id or "", {}).setdefault(account, {"requests": 0, "cells": 0})
        tally["requests"] += 1
        tally["cells"] += cells

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def new_spreadsheet_id(self) -> str:
        """A 44-character id in the alphabet Google uses."""
        return "".join(self.rng.choice(ID_ALPHABET) for _ in range(44))

    def new_sheet_id(self, book: Spreadsheet) -> int:
        """A random positive 31-bit sheet id, unique in ``book`` (as Google assigns them)."""
        while True:
            candidate = self.rng.randint(1, 2**31 - 1)
            if book.sheet_with_id(candidate) is None:
                return candidate

    def register(self, account: ServiceAccount) -> None:
        """Accept tokens signed with ``account``'s key from now on."""
        self.service_accounts[account.client_email] = account

    def reset(self) -> None:
        """Forget spreadsheets, counters and quota use; keep keys and issued tokens."""
        self.spreadsheets.clear()
        self.requests.clear()
        self.writes.clear()
        self.write_quota.reset()
        self.read_quota.reset()
        self.rng = random.Random(self.seed)
