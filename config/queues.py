"""Celery's queues, by latency class: a slow Sheets export never delays a button click.

Settings declare them; ``make run``, the test suite and the benchmarks start workers on
all of them. docker-compose.yml names them too (tests/test_deployment.py keeps it equal).
"""

MUSTER_QUEUES = ("interactions", "discord", "default", "jira", "sheets")
