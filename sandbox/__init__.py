"""Protocol-level stand-ins for Discord, Jira Cloud and Google Sheets on 127.0.0.1.

Each stand-in is an aiohttp application that the real client libraries talk to
unmodified. ``sandbox.runner.ServerThread`` serves any of them on a free loopback
port from a background thread (pytest fixtures, benchmarks, ``make run``);
``python -m sandbox`` serves all three.
"""
