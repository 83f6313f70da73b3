"""The benches' CPU accounting (bench.harness): a process tree's CPU, read from /proc."""

import subprocess
import sys
import time

from bench.harness import _proc_table, _tree_cpu, cpu_used

BURN = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\ninput()"


def test_a_process_trees_cpu_counts_its_live_children():
    # Given a child of a child that has burnt half a second of CPU and is still alive
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURN!r}])"],
        stdin=subprocess.PIPE,
    )
    try:
        tree_used = 0.0
        for _ in range(100):
            used, children = _proc_table()
            tree_used = _tree_cpu(parent.pid, used, children)
            if tree_used >= 0.5:
                break
            time.sleep(0.05)
        # Then the tree's CPU holds the grandchild's, and the parent's own is a small part of it
        assert tree_used >= 0.5
        assert used.get(parent.pid, 0.0) < 0.5
    finally:
        parent.communicate(b"\n", timeout=10)


def test_cpu_used_is_the_difference_per_part_largest_first():
    assert cpu_used({"workers": 1.0, "redis": 0.5}, {"workers": 4.25, "redis": 0.75, "web": 1.0}) == {
        "workers": 3.25,
        "web": 1.0,
        "redis": 0.25,
    }
