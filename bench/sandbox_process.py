"""``python -m bench.sandbox_process``: the Discord sandbox alone, in a process of its own.

Benchmarks inject clicks from several threads; a sandbox sharing their process (and its
GIL) answered late and stamped the lateness on Muster's acknowledgements. Prints
``sandbox listening on <port>`` once it serves; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading

from sandbox.discord import create_app
from sandbox.runner import ServerThread


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_process")
    parser.add_argument("--bot-token", required=True)
    parser.add_argument("--application-id", type=int, required=True)
    parser.add_argument("--global-limit", type=float, required=True)
    parser.add_argument("--privileged-intents", type=json.loads, default=[])
    args = parser.parse_args()
    app = create_app(
        bot_token=args.bot_token,
        application_id=args.application_id,
        global_limit_per_s=args.global_limit,
        privileged_intents=args.privileged_intents,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = ServerThread(app).start()
    print(f"sandbox listening on {server.port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
