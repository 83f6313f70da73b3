"""The export's rules: connecting a spreadsheet, claiming and running an export, saying what went wrong.

A run: claim the target (compare-and-set on ``claimed_until``), read the spreadsheet once
(``layout``), plan each tab (``plan``), send at most one structural ``batchUpdate`` (tabs,
frozen and protected headers) and one ``batchUpdate`` with every write, then store each
row's digest. Nothing changed since the last successful run: no write at all. A 429 or a
5xx is retried from the read (after a jittered backoff), so a write Google applied before
failing is seen rather than applied twice: rows are keyed by their Muster ID in the sheet.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import datasets, outbox
from core.datasets import Selection
from core.errors import RuleError
from core.models import Guild
from sheets_export import cells, client, layout
from sheets_export.client import ExportError, Sheets
from sheets_export.models import ExportedRow, ExportRun, ExportTarget
from sheets_export.plan import (
    Stored,
    TabInput,
    TabPlan,
    create_summary_tab,
    create_tab,
    new_sheet_id,
    plan_tab,
    repair_tab,
    summary,
)

log = logging.getLogger(__name__)

ATTEMPTS = 4
BACKOFF_S = 2.0  # the n-th retry waits up to BACKOFF_S * 2**n seconds, uniformly (full jitter)
LEASE = timedelta(minutes=15)  # longer than the export task's hard time limit (660 s)
SPREADSHEET_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]{10,})")
BARE_ID = re.compile(r"^[A-Za-z0-9_-]{10,100}$")


def spreadsheet_id(text: str) -> str:
    """The id in a spreadsheet's URL (or the id itself)."""
    text = (text or "").strip()
    found = SPREADSHEET_ID.search(text)
    if found:
        return found.group(1)
    if BARE_ID.match(text):
        return text
    raise RuleError(
        "That is not a Google Sheets link: copy the spreadsheet's address, "
        "https://docs.google.com/spreadsheets/d/…/edit, from your browser."
    )


def dataset_names(text: str | None) -> list[str]:
    """Dataset names from a comma-separated list (blank: every dataset)."""
    known = [dataset.name for dataset in datasets.all_datasets()]
    if not text or not text.strip():
        return known
    names = [name.strip().lower().replace(" ", "_") for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise RuleError(f"There is no dataset {unknown[0]!r}: choose among {', '.join(known)}.")
    return list(dict.fromkeys(names))


def check_access(sheets: Sheets, spreadsheet: str) -> str:
    """One read of the spreadsheet's title; an ``ExportError`` says why Muster cannot open it."""
    request = sheets.service.spreadsheets().get(spreadsheetId=spreadsheet, fields="spreadsheetId,properties.title")
    return sheets.execute(request).get("properties", {}).get("title", "")


@dataclass(frozen=True)
class Connection:
    guild_id: int
    url: str
    datasets: list[str]
    event_ids: list[int]
    cadence: str
    configured_by_id: int | None = None


def connect(connection: Connection, *, sheets: Sheets | None = None) -> tuple[ExportTarget, str]:
    """Check that Muster can open the spreadsheet, then save its target; (target, spreadsheet title).

    Raises ``RuleError`` with one sentence when it cannot (not shared, no such spreadsheet).
    """
    spreadsheet = spreadsheet_id(connection.url)
    guild = Guild.objects.get(id=connection.guild_id)
    event_ids = _events_of(guild, connection.event_ids)
    try:
        sheets = sheets or client.connect()
        title = check_access(sheets, spreadsheet)
    except ExportError as exc:
        raise RuleError(exc.sentence) from None
    with transaction.atomic():
        target, _ = ExportTarget.objects.update_or_create(
            guild=guild,
            spreadsheet_id=spreadsheet,
            defaults={
                "datasets": connection.datasets,
                "cadence": connection.cadence,
                "configured_by_id": connection.configured_by_id,
                "next_run_at": timezone.now(),
                "last_error": "",
            },
        )
        target.events.set(event_ids)
    return target, title


def _events_of(guild: Guild, event_ids: list[int]) -> list[int]:
    found = set(Selection(guild).events().filter(id__in=event_ids).values_list("id", flat=True))
    missing = [event_id for event_id in event_ids if event_id not in found]
    if missing:
        raise RuleError(f"There is no event {missing[0]} in this server: /event list shows their numbers.")
    return list(event_ids)


def selection(target: ExportTarget) -> Selection:
    """The part of the guild the target shows: its chosen events, or every event from the day it was connected."""
    chosen = tuple(target.events.order_by("id").values_list("id", flat=True))
    if chosen:
        return Selection(target.guild, event_ids=chosen)
    zone = ZoneInfo(target.guild.timezone)
    day = target.created_at.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return Selection(target.guild, since=day)


def fingerprint(target: ExportTarget) -> str:
    """Cheap: changes whenever a row of one of the target's datasets would."""
    chosen = selection(target)
    parts = [f"{name}:{dataset.fingerprint(chosen)}" for name, dataset in _datasets(target)]
    return ";".join(parts)


def _datasets(target: ExportTarget):
    for name in target.datasets:
        dataset = datasets.get(name)
        if dataset is not None:
            yield name, dataset


# --- claiming and scheduling ------------------------------------------------------------


def claim(target_id: int, *, now: datetime) -> bool:
    """Take the target for one run (compare-and-set): False when another run holds it."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return ExportTarget.objects.filter(free, id=target_id).update(claimed_until=now + LEASE) == 1


def due(*, now: datetime) -> list[int]:
    """Targets whose cadence says run now; "after each change" ones only if their data changed."""
    ready = ExportTarget.objects.filter(next_run_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    ids = list(ready.exclude(cadence=ExportTarget.Cadence.ON_CHANGE).values_list("id", flat=True))
    for target in ready.filter(cadence=ExportTarget.Cadence.ON_CHANGE).select_related("guild"):
        if fingerprint(target) != target.last_fingerprint:
            ids.append(target.id)
    return sorted(ids)


# --- the run ----------------------------------------------------------------------------


@dataclass
class Outcome:
    plans: list[TabPlan]
    structural: bool
    wrote: bool
    other_cells: int


def run_export(target_id: int, *, trigger: str, sheets: Sheets | None = None, sleep=time.sleep) -> ExportRun | None:
    """Export one target now, if no other run holds it; the recorded run, or None when claimed elsewhere or gone."""
    now = timezone.now()
    if not claim(target_id, now=now):
        return None
    target = ExportTarget.objects.select_related("guild", "configured_by").filter(id=target_id).first()
    if target is None:
        return None
    run = ExportRun.objects.create(target=target, trigger=trigger, started_at=now)
    mark = fingerprint(target)
    try:
        sheets = sheets or client.connect()
        outcome = _attempts(target, run, sheets, sleep)
    except ExportError as exc:
        _failed(target, run, exc)
    else:
        _succeeded(target, run, outcome, mark)
    finally:
        finished = timezone.now()
        ExportTarget.objects.filter(id=target.id).update(
            claimed_until=None, last_run_at=finished, next_run_at=now + target.interval()
        )
    return run


def _attempts(target: ExportTarget, run: ExportRun, sheets: Sheets, sleep) -> Outcome:
    inputs = _inputs(target)
    for attempt in range(ATTEMPTS):
        try:
            return _once(target, run, sheets, inputs)
        except ExportError as exc:
            if not exc.retryable or attempt == ATTEMPTS - 1:
                raise
            wait = random.uniform(0, BACKOFF_S * 2**attempt)  # noqa: S311 (jitter, not a secret)
            log.warning("sheets export %s: %s; retrying in %.1f s", target.id, exc.kind, wait)
            sleep(wait)
    raise AssertionError("unreachable")


def _inputs(target: ExportTarget) -> list[TabInput]:
    chosen = selection(target)
    zone = ZoneInfo(target.guild.timezone)
    stored: dict[str, dict[str, Stored]] = {}
    for dataset, muster_id, digest, status in ExportedRow.objects.filter(target=target).values_list(
        "dataset", "muster_id", "digest", "status"
    ):
        stored.setdefault(dataset, {})[muster_id] = Stored(digest, status)
    delete = target.removed_rows == ExportTarget.Removed.DELETE
    return [
        TabInput(dataset, list(datasets.iter_rows(dataset, chosen)), stored.get(name, {}), zone, delete)
        for name, dataset in _datasets(target)
    ]


def _once(target: ExportTarget, run: ExportRun, sheets: Sheets, inputs: list[TabInput]) -> Outcome:
    books = sheets.service.spreadsheets()
    body = {"dataFilters": layout.READ_FILTERS, "includeGridData": True}
    read = books.getByDataFilter(spreadsheetId=target.spreadsheet_id, body=body, fields=layout.READ_FIELDS)
    workbook = layout.parse(sheets.execute(read))
    run.read_requests += 1
    others = _other_tabs(target, run, sheets, workbook, inputs)
    structural, tabs, summary_id = _structure(workbook, inputs, others)
    plans = [plan_tab(given, tab) for given, tab in zip(inputs, tabs, strict=True)]
    writes = [request for plan in plans for request in plan.writes]
    check_cells(workbook.cells + others.cells, structural, plans)
    if structural:
        sheets.execute(books.batchUpdate(spreadsheetId=target.spreadsheet_id, body={"requests": structural}))
        run.write_requests += 1
    if writes or structural:
        lines = _summary_lines(target, run, plans)
        body = {"requests": [*writes, summary(summary_id, lines)]}
        sheets.execute(books.batchUpdate(spreadsheetId=target.spreadsheet_id, body=body))
        run.write_requests += 1
    return Outcome(plans=plans, structural=bool(structural), wrote=bool(writes or structural), other_cells=others.cells)


@dataclass
class OtherTabs:
    """People's tabs: their titles (known only after a full read) and their cells."""

    titles: set[str]
    cells: int


def _other_tabs(target, run, sheets: Sheets, workbook: layout.Workbook, inputs: list[TabInput]) -> OtherTabs:
    """Read every tab's title and size only when Muster must add a tab (a free title, the cell count);
    otherwise people's tabs count as they did at that read."""
    wanted = [given.dataset.name for given in inputs] + [layout.SUMMARY_DATASET]
    if all(workbook.tab_for(name) is not None for name in wanted):
        return OtherTabs(titles=set(), cells=target.other_cells)
    request = sheets.service.spreadsheets().get(spreadsheetId=target.spreadsheet_id, fields=layout.SHEETS_FIELDS)
    everything = layout.parse(sheets.execute(request))
    run.read_requests += 1
    mine = workbook.sheet_ids()
    theirs = [tab for tab in everything.tabs if tab.sheet_id not in mine]
    return OtherTabs(titles={tab.title for tab in theirs}, cells=sum(tab.cells for tab in theirs))


def _structure(workbook: layout.Workbook, inputs: list[TabInput], others: OtherTabs):
    """Structural requests (missing tabs, headers' freeze and protection) and each dataset's tab."""
    requests: list[dict] = []
    taken: set[int] = set()
    tabs = []
    titles = workbook.titles() | others.titles
    for given in inputs:
        tab = workbook.tab_for(given.dataset.name)
        if tab is not None and tab.header_row is None:
            raise ExportError(
                f"Muster can no longer find its header row in the {tab.title} tab: "
                "delete the tab (or undo the change), and Muster will make it again.",
                kind="lost_header",
            )
        if tab is None:
            title = _free_title(given.dataset.title, titles)
            made, tab = create_tab(given.dataset, new_sheet_id(workbook, taken), title)
            requests.extend(made)
        else:
            requests.extend(repair_tab(tab))
        tabs.append(tab)
    summary_tab = workbook.tab_for(layout.SUMMARY_DATASET)
    if summary_tab is None:
        summary_id = new_sheet_id(workbook, taken)
        requests.extend(create_summary_tab(summary_id, _free_title(layout.SUMMARY_TAB, titles)))
    else:
        summary_id = summary_tab.sheet_id
    return requests, tabs, summary_id


def _free_title(title: str, titles: set[str]) -> str:
    """``title``, or ``title (2)``... when a tab of that name exists (Sheets compares titles case-insensitively)."""
    taken = {t.lower() for t in titles}
    candidate, n = title, 2
    while candidate.lower() in taken:
        candidate, n = f"{title} ({n})", n + 1
    titles.add(candidate)
    return candidate


def check_cells(cells_now: int, structural: list[dict], plans: list[TabPlan]) -> None:
    """Refuse, before any write, a run that would take the spreadsheet past Google's cell limit."""
    added = 0
    for request in structural:
        grid = request.get("addSheet", {}).get("properties", {}).get("gridProperties")
        if grid:
            added += grid.get("rowCount", 1000) * grid.get("columnCount", 26)
    total = cells_now + added + sum(plan.new_cells for plan in plans)
    limit = settings.SHEETS_CELL_LIMIT
    if total > limit:
        raise ExportError(
            f"Muster stopped before writing: the spreadsheet would hold {total:,} cells, past Google's limit of "
            f"{limit:,}; delete tabs or rows you no longer need, export fewer datasets, or connect a new spreadsheet.",
            kind="cell_limit",
        )


def _summary_lines(target: ExportTarget, run: ExportRun, plans: list[TabPlan]) -> list[tuple[str, dict]]:
    zone = ZoneInfo(target.guild.timezone)
    lines = [
        ("Last synced", cells.cell("datetime", timezone.now(), zone)),
        ("Time zone", cells.text(target.guild.timezone)),
        ("Muster run", cells.cell("integer", run.id, zone)),
        ("Checked", cells.text(target.get_cadence_display())),
    ]
    lines += [(f"Rows in {plan.title}", cells.cell("integer", plan.rows, zone)) for plan in plans]
    return lines


def _succeeded(target: ExportTarget, run: ExportRun, outcome: Outcome, mark: str) -> None:
    with transaction.atomic():
        for plan in outcome.plans:
            _store_digests(target, plan)
        run.status = ExportRun.Status.WRITTEN if outcome.wrote else ExportRun.Status.UNCHANGED
        run.rows_added = sum(plan.added for plan in outcome.plans)
        run.rows_updated = sum(plan.updated for plan in outcome.plans)
        run.rows_marked = sum(plan.marked for plan in outcome.plans)
        run.cells_written = sum(plan.cells_written for plan in outcome.plans)
        run.notices = "\n".join(notice for plan in outcome.plans for notice in plan.notices)
        run.finished_at = timezone.now()
        run.save()
        recovered = bool(target.last_error)
        ExportTarget.objects.filter(id=target.id).update(
            last_success_at=run.finished_at,
            last_error="",
            last_fingerprint=mark,
            other_cells=outcome.other_cells,
            error_epoch=target.error_epoch + int(recovered),
        )
        for plan in outcome.plans:
            for notice in plan.notices:
                _tell(target, notice, key=f"sheets:{target.id}:notice:{_hash(notice)}")


def _store_digests(target: ExportTarget, plan: TabPlan) -> None:
    stored = {
        mid: Stored(digest, status)
        for mid, digest, status in ExportedRow.objects.filter(target=target, dataset=plan.dataset).values_list(
            "muster_id", "digest", "status"
        )
    }
    changed = [
        ExportedRow(target=target, dataset=plan.dataset, muster_id=mid, digest=state.digest, status=state.status)
        for mid, state in plan.digests.items()
        if stored.get(mid) != state
    ]
    ExportedRow.objects.bulk_create(
        changed,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["target", "dataset", "muster_id"],
        update_fields=["digest", "status"],
    )
    forgotten = [mid for mid in stored if mid not in plan.digests]
    for start in range(0, len(forgotten), 2000):
        chunk = forgotten[start : start + 2000]
        ExportedRow.objects.filter(target=target, dataset=plan.dataset, muster_id__in=chunk).delete()


def _failed(target: ExportTarget, run: ExportRun, exc: ExportError) -> None:
    with transaction.atomic():
        run.status = ExportRun.Status.FAILED
        run.error = exc.sentence
        run.finished_at = timezone.now()
        run.save()
        ExportTarget.objects.filter(id=target.id).update(last_error=exc.sentence)
        _tell(target, exc.sentence, key=f"sheets:{target.id}:error:{target.error_epoch}:{_hash(exc.sentence)}")
    log.info("sheets export %s failed: %s (%s)", target.id, exc.kind, exc.sentence)


def _tell(target: ExportTarget, sentence: str, *, key: str) -> None:
    """A DM to the organiser who configured the target, once per key (the outbox's unique key)."""
    if target.configured_by_id is None:
        return
    content = f"Sheets export to <{target.url}>\n{sentence}"
    outbox.enqueue(key=key, member_id=target.configured_by_id, payload={"content": content}, guild_id=target.guild_id)


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


# --- what organisers see ----------------------------------------------------------------


def status_lines(guild_id: int, *, now: datetime) -> list[str]:
    """One paragraph per target of the guild: last run, rows written, next run, last error."""
    lines = []
    for target in ExportTarget.objects.filter(guild_id=guild_id).order_by("id"):
        run = target.runs.exclude(status=ExportRun.Status.RUNNING).first()
        lines.append(describe(target, run, now=now))
    return lines


def describe(target: ExportTarget, run: ExportRun | None, *, now: datetime) -> str:
    head = f"{target.url} ({', '.join(target.datasets)}; {target.get_cadence_display().lower()})"
    if run is None:
        last = "not run yet"
    else:
        figures = f"{run.rows_added} added, {run.rows_updated} updated, {run.rows_marked} marked"
        last = f"last run <t:{int(run.started_at.timestamp())}:R>: {run.get_status_display().lower()} ({figures})"
    upcoming = max(target.next_run_at, now)
    when = f"next run <t:{int(upcoming.timestamp())}:R>"
    if target.cadence == ExportTarget.Cadence.ON_CHANGE:
        when = "next run after the next change"
    error = f"\nLast error: {target.last_error}" if target.last_error else ""
    return f"{head}\n{last}; {when}.{error}"


def access_problem(target: ExportTarget, *, sheets: Sheets | None = None) -> str:
    """Why Muster cannot open the target's spreadsheet, in one sentence; "" when it can."""
    try:
        check_access(sheets or client.connect(), target.spreadsheet_id)
    except ExportError as exc:
        return exc.sentence
    return ""
