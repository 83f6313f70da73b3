"""Tasks only the benchmarks use; their workers load this module with ``-I devtools.tasks``."""

from celery import shared_task


@shared_task
def bench_noop(counter_key: str) -> None:
    """Count and nothing else: ``python -m bench interactions`` measures the broker's ceiling with it."""
    from core.redis import get_redis

    get_redis().incr(counter_key)
