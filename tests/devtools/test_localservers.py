"""The throwaway servers' restarts, which ``python -m bench faults`` injects."""

from __future__ import annotations

import psycopg
import redis

from devtools.localservers import PostgresServer, RedisServer


def test_a_persistent_redis_keeps_its_data_across_a_restart():
    server = RedisServer(persistent=True).start()
    try:
        redis.Redis.from_url(server.url).rpush("interactions", "a task")
        server.stop()
        server.start()
        assert redis.Redis.from_url(server.url).lrange("interactions", 0, -1) == [b"a task"]
    finally:
        server.destroy()


def test_a_default_redis_forgets_everything_on_a_restart():
    server = RedisServer().start()
    try:
        redis.Redis.from_url(server.url).rpush("interactions", "a task")
        server.stop()
        server.start()
        assert redis.Redis.from_url(server.url).llen("interactions") == 0
    finally:
        server.destroy()


def test_postgres_keeps_its_port_and_data_across_a_restart():
    server = PostgresServer().start()
    try:
        with psycopg.connect(server.url, autocommit=True) as connection:
            connection.execute("CREATE TABLE kept (id int)")
        port = server.port
        server.stop()
        server.start()
        assert server.port == port
        with psycopg.connect(server.url) as connection:
            assert connection.execute("SELECT count(*) FROM kept").fetchone() == (0,)
    finally:
        server.destroy()
