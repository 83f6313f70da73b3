"""The Discord REST client against the sandbox: retries, permanent errors, limits in Redis."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from core import metrics
from core.discord_api import DiscordClient, InvalidMessage, PermanentError
from core.discord_api.ratelimit import LocalBuckets, RateLimiter
from sandbox.discord import create_app
from sandbox.discord.control import DiscordControl
from sandbox.runner import ServerThread

pytestmark = pytest.mark.timeout(30)
TOKEN = "rest-client-token"
CREATE = "POST /channels/{channel_id}/messages"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
GONE_INTERACTION = {"interaction_id": 1_300_000_000_000_000_000, "interaction_token": "expired"}


class Sandbox:
    def __init__(self, server: ServerThread, control: DiscordControl, redis_url: str):
        self.server, self.control, self.redis_url = server, control, redis_url
        guild = control.create_guild("Muster HQ", channels=["general", "random"])
        self.channel_id, self.other_channel_id = (int(c["id"]) for c in guild["channels"])
        self.guild_id = int(guild["id"])

    def client(self, *, global_per_s: float = 50, timeout: float = 5.0) -> DiscordClient:
        """A client of its own (own Redis connection), as another worker process would have."""
        limiter = RateLimiter(redis.Redis.from_url(self.redis_url), global_per_s=global_per_s)
        return DiscordClient(token=TOKEN, api_base=f"{self.server.url}/api/v10", limiter=limiter, timeout=timeout)

    def rest(self) -> dict:
        return self.control.stats()["rest"]


@pytest.fixture
def sandbox(flush_redis, redis_server):
    server = ServerThread(create_app(bot_token=TOKEN)).start()
    control = DiscordControl(server.url)
    yield Sandbox(server, control, redis_server.url)
    control.close()
    server.stop()


def test_it_retries_server_errors_then_succeeds(sandbox):
    sandbox.control.inject_fault("error", "/channels/*/messages", method="POST", status=502, count=1)
    sandbox.control.inject_fault("error", "/channels/*/messages", method="POST", status=503, count=1)

    sent = sandbox.client().send_message(sandbox.channel_id, {"content": "hello"})

    assert sent["content"] == "hello"
    assert sandbox.rest()["statuses"] == {"502": 1, "503": 1, "200": 1}
    assert [m["content"] for m in sandbox.control.messages(sandbox.channel_id)] == ["hello"]


def test_it_retries_a_timed_out_request_then_succeeds(sandbox):
    client = sandbox.client(timeout=0.3)
    message = client.send_message(sandbox.channel_id, {"content": "draft"})
    sandbox.control.inject_fault("delay", "/channels/*/messages/*", method="PATCH", delay_s=1.5, count=1)

    edited = client.edit_message(sandbox.channel_id, int(message["id"]), {"content": "final"})

    assert edited["content"] == "final"
    faults = sandbox.control.stats()["faults"]
    assert [(f["kind"], f["hits"]) for f in faults] == [("delay", 1)]
    assert sandbox.control.message(message["id"])["content"] == "final"


@pytest.mark.parametrize("code", [50007, 10003, 10008, 10062])
def test_it_raises_permanent_errors_without_retrying(sandbox, code):
    client = sandbox.client()
    bob = sandbox.control.add_member(sandbox.guild_id, username="bob", dms_open=False)
    closed_dm = int(client.open_dm(int(bob["user"]["id"]))["id"])
    calls = {
        50007: lambda: client.send_message(closed_dm, {"content": "hi"}),
        10003: lambda: client.send_message(sandbox.other_channel_id + 1000, {"content": "hi"}),
        10008: lambda: client.edit_message(sandbox.channel_id, sandbox.channel_id + 1000, {"content": "hi"}),
        10062: lambda: client.request("POST", CALLBACK, GONE_INTERACTION, json={"type": 5}, bot_auth=False),
    }
    before = sandbox.rest()["requests_total"]

    with pytest.raises(PermanentError) as raised:
        calls[code]()

    assert (raised.value.code, raised.value.retryable) == (code, False)
    assert sandbox.rest()["requests_total"] - before == 1


def send_burst(sandbox, count: int) -> None:
    """``count`` threads send one message each to the channel, all at once."""
    client = sandbox.client()
    start = threading.Barrier(count)

    def send(number: int) -> None:
        start.wait()
        client.send_message(sandbox.channel_id, {"content": f"#{number}"})

    run_all(send, list(range(count)))


def test_a_burst_to_one_channel_earns_no_429(sandbox):
    sandbox.control.set_limits(routes={"messages:create": (3, 0.4)})
    send_burst(sandbox, 12)

    rest = sandbox.rest()
    assert rest["ratelimited_total"] == 0
    assert rest["requests"] == {CREATE: 12}
    assert sorted(m["content"] for m in sandbox.control.messages(sandbox.channel_id)) == sorted(
        f"#{n}" for n in range(12)
    )


def test_a_burst_on_a_one_request_bucket_earns_no_429(sandbox):
    # Opening a DM is one request per window: the first answer names the route's bucket, and the
    # requests waiting meanwhile must find that window under the bucket's name, not probe anew.
    sandbox.control.set_limits(routes={"dm_channels": (1, 0.3)})
    users = [int(sandbox.control.add_member(sandbox.guild_id, username=f"m{n}")["user"]["id"]) for n in range(6)]
    client = sandbox.client()
    start = threading.Barrier(len(users))

    def open_dm(user_id: int) -> None:
        start.wait()
        client.open_dm(user_id)

    run_all(open_dm, users)

    rest = sandbox.rest()
    assert rest["ratelimited_total"] == 0
    assert rest["requests"] == {"POST /users/@me/channels": len(users)}


def test_a_burst_after_a_server_error_earns_no_429(sandbox):
    # A 502 carries no X-RateLimit headers; that must not read as "this route is unlimited".
    sandbox.control.set_limits(routes={"messages:create": (3, 0.4)})
    sandbox.control.inject_fault("error", "/channels/*/messages", method="POST", status=502, count=1)
    send_burst(sandbox, 12)

    rest = sandbox.rest()
    assert rest["ratelimited_total"] == 0
    assert rest["statuses"] == {"502": 1, "200": 12}
    assert len(sandbox.control.messages(sandbox.channel_id)) == 12


def test_it_honours_retry_after_of_a_429(sandbox):
    sandbox.control.inject_fault("ratelimit", "/channels/*/messages", method="POST", retry_after=0.6, count=1)
    client = sandbox.client()
    started = time.monotonic()

    client.send_message(sandbox.channel_id, {"content": "after the wait"})

    sent = sandbox.control.messages(sandbox.channel_id)[0]
    assert sandbox.rest()["statuses"] == {"429": 1, "200": 1}
    assert sent["created"]["monotonic"] - started >= 0.6  # the retry waited out Retry-After


def test_two_clients_share_the_global_limit_through_redis(sandbox):
    # Each client alone would send at 20/s; two unshared ones would send at 40/s and drain
    # the sandbox's 20-request bucket within about a second.
    sandbox.control.set_limits(global_per_s=20, routes={"messages:create": (1000, 1.0)})
    clients = [sandbox.client(global_per_s=20), sandbox.client(global_per_s=20)]
    channels = [sandbox.channel_id, sandbox.other_channel_id]

    def send(index: int) -> None:
        for number in range(25):
            clients[index].send_message(channels[index], {"content": f"#{number}"})

    run_all(send, [0, 1])

    rest = sandbox.rest()
    assert rest["ratelimited_total"] == 0
    assert rest["requests"] == {CREATE: 50}


def test_it_refuses_a_message_over_discords_limits_without_sending_it(sandbox):
    client = sandbox.client()

    with pytest.raises(InvalidMessage, match="2001 characters, over 2000"):
        client.send_message(sandbox.channel_id, {"content": "x" * 2001})
    with pytest.raises(InvalidMessage):
        client.edit_message(sandbox.channel_id, 1, {"embeds": [{"title": "t" * 257}]})

    assert sandbox.rest()["requests_total"] == 0


def run_all(fn, args: list, timeout: float = 20) -> None:
    """``fn(arg)`` for every arg, each in its own thread; re-raises the first failure."""
    with ThreadPoolExecutor(max_workers=len(args)) as pool:
        for future in [pool.submit(fn, arg) for arg in args]:
            future.result(timeout)


def keys_but_metrics(client: redis.Redis) -> list[str]:
    """Redis's keys, but for the process's metric counts (flushed at most every FLUSH_EVERY_S, core.metrics)."""
    return [key.decode() for key in client.scan_iter(match="*") if not key.decode().startswith(metrics.PREFIX)]


def test_interaction_tokens_never_appear_in_redis_key_names(sandbox, flush_redis):
    token = "aW50ZXJhY3Rpb246c2VjcmV0LXRva2Vu"
    gone = {"interaction_id": 1_300_000_000_000_000_001, "interaction_token": token}
    client = sandbox.client()
    for _ in range(2):
        with pytest.raises(PermanentError):
            client.request("POST", CALLBACK, gone, json={"type": 5}, bot_auth=False)

    # An interaction's bucket is kept in the process that answers it, not in Redis...
    assert keys_but_metrics(flush_redis) == []
    windows = list(client.interaction_buckets._windows)
    assert windows
    assert [key for key in windows if token in key] == []  # ...and under a hash of its token there too


def test_a_burst_of_follow_ups_on_one_interaction_earns_no_429_without_touching_redis(sandbox, flush_redis):
    # Given a click the gateway deferred, and Discord's per-token bucket at 3 requests per 0.4 s
    app_id = 1_300_000_000_000_000_042
    server = ServerThread(create_app(bot_token=TOKEN, application_id=app_id)).start()
    control = DiscordControl(server.url)
    guild = control.create_guild("Muster HQ")
    channel_id, member_id = guild["channels"][0]["id"], control.add_member(guild["id"], username="alice")["user"]["id"]
    button = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "x:y"}]}
    message = control.post_message(channel_id, member_id, "a post", components=[button])
    ix = control.inject_component(message_id=message["id"], custom_id="x:y", user_id=member_id)
    httpx.post(f"{server.url}/api/v10/interactions/{ix['id']}/{ix['token']}/callback", json={"type": 6})
    control.set_limits(routes={"webhook": (3, 0.4)})
    limiter = RateLimiter(redis.Redis.from_url(sandbox.redis_url), global_per_s=50)
    client = DiscordClient(token=TOKEN, api_base=f"{server.url}/api/v10", limiter=limiter)

    # When eight threads send a follow-up on it at once
    try:
        run_all(lambda n: client.followup(app_id, ix["token"], {"content": f"#{n}", "flags": 64}), list(range(8)))
        rest, followups = control.stats()["rest"], control.interaction(ix["id"])["followups"]
    finally:
        control.close()
        server.stop()

    # Then all arrived, none was refused, and the limiter never asked Redis
    assert sorted(m["content"] for m in followups) == sorted(f"#{n}" for n in range(8))
    assert rest["ratelimited_total"] == 0
    assert keys_but_metrics(flush_redis) == []


def test_an_interaction_bucket_named_by_its_first_answer_keeps_its_window():
    # Given a token route's first answer: no request left in its bucket for 0.3 s
    clock = [100.0]
    buckets = LocalBuckets(clock=lambda: clock[0])
    assert buckets.acquire_route(CALLBACK, "token-hash")[0] == 0.0  # the probe
    wait, state_key = buckets.acquire_route(CALLBACK, "token-hash")
    assert wait > 0  # a second request waits for what the probe learns
    headers = {"X-RateLimit-Bucket": "abc", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "0.3"}

    buckets.learn(CALLBACK, state_key, headers, major="token-hash")

    # Then the next request, now looked up under the bucket's name, waits out the window
    wait, _ = buckets.acquire_route(CALLBACK, "token-hash")
    assert wait == pytest.approx(0.3)
    clock[0] += 0.31
    assert buckets.acquire_route(CALLBACK, "token-hash")[0] == 0.0
