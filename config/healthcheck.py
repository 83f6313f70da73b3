"""The image's HEALTHCHECK: GET /healthz from inside the container, as production sees it.

Run as a plain script (``python config/healthcheck.py``), without Django: it starts in
milliseconds. Django answers 400 to a Host it does not serve (ALLOWED_HOSTS), so the probe
names the first allowed host; /healthz is exempt from the HTTPS redirect
(SECURE_REDIRECT_EXEMPT), so plain HTTP on 127.0.0.1 reaches it. Exit 0 when healthy.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys


def probe_host(allowed_hosts: str) -> str:
    """A Host header Django accepts: the first ALLOWED_HOSTS entry (``.example.com`` → ``example.com``)."""
    first = next((host.strip() for host in allowed_hosts.split(",") if host.strip()), "")
    if not first or first == "*":
        return "localhost"
    return first.removeprefix(".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--timeout", type=float, default=4.0)
    args = parser.parse_args(argv)
    host = probe_host(os.environ.get("ALLOWED_HOSTS", ""))
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
    try:
        connection.request("GET", "/healthz", headers={"Host": host})
        response = connection.getresponse()
        body = response.read(500).decode(errors="replace")
    except OSError as exc:
        print(f"healthcheck: /healthz unreachable ({exc})", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"healthcheck: /healthz answered {response.status} for Host {host}: {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
