"""Beat's export tick and the export task: thin, taking ids, claiming in the database."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import metrics
from sheets_export import services
from sheets_export.models import ExportTarget


@shared_task
def export_due() -> int:
    """Queue an export for each target its cadence says is due (debounced ones only if their data changed)."""
    due = services.due(now=timezone.now())
    for target_id in due:
        export_target.apply_async((target_id, "beat"), expires=max(1, settings.SHEETS_EXPORT_TICK_S - 5))
    return len(due)


@shared_task(soft_time_limit=600, time_limit=660)  # a first export of 100,000 rows takes minutes
def export_target(target_id: int, trigger: str = "beat") -> str | None:
    """Run one export (quietly nothing when the target is gone or another run holds it)."""
    run = services.run_export(target_id, trigger=trigger)
    if run is None:
        return None
    metrics.SHEETS_RUNS.inc(target=target_id, status=run.status)
    return run.status


@shared_task
def check_target(target_id: int) -> str | None:
    """Check access to a target saved in the admin (web holds no Google credentials): one read."""
    target = ExportTarget.objects.filter(id=target_id).first()
    if target is None:
        return None
    sentence = services.access_problem(target)
    ExportTarget.objects.filter(id=target_id).update(last_error=sentence)
    return sentence


def export_soon(target_id: int, trigger: str) -> None:
    """Queue an export of ``target_id`` once the caller's transaction commits."""
    transaction.on_commit(lambda: export_target.delay(target_id, trigger))
