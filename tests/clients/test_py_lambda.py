"""The Lambda pattern under a simulated Lambda: one process reused across invocations, frozen
(SIGSTOP) between them so its sender thread makes no progress, its kept-alive connection closed by
the collector meanwhile, the collector restarted during one freeze, and the environment discarded
(SIGKILL while frozen) after the last invocation. With the helper nothing is lost; without it,
events still queued at a freeze are lost with the environment."""
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tlharness import WRITE_KEY

RUNTIME = Path(__file__).with_name("lambda_runtime.py")


def run_invocations(c, mode, invocations, restart_at=None):
    env = dict(os.environ, TRACKLAKE_APP_ID="web", TRACKLAKE_EVENT_TYPES="click", TRACKLAKE_ENDPOINT=c.url,
               TRACKLAKE_WRITE_KEY=WRITE_KEY, TRACKLAKE_BATCH_AGE="30")
    proc = subprocess.Popen([sys.executable, str(RUNTIME), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)
    ids = []
    try:
        for n in range(invocations):
            proc.stdin.write(json.dumps({"n": n, "count": 20 + 30 * (n % 3)}) + "\n")
            proc.stdin.flush()
            ids += json.loads(proc.stdout.readline())
            os.kill(proc.pid, signal.SIGSTOP)  # frozen until the next invocation
            if n == restart_at:
                assert c.stop() == 0
                c.start(env=c.fixed_env)
            time.sleep(1.2)  # past the collector's idle timeout: the connection dies meanwhile
            if n < invocations - 1:
                os.kill(proc.pid, signal.SIGCONT)
    finally:
        proc.kill()  # the environment is discarded while frozen: no exit hook runs
        proc.wait()
    return ids


def test_the_helper_loses_nothing_across_frozen_and_reused_invocations(fixed_port_collector):
    c = fixed_port_collector
    c.fixed_env = dict(c.fixed_env, TRACKLAKE_SERVER_IDLE_TIMEOUT="1")
    assert c.stop() == 0
    c.start(env=c.fixed_env)
    ids = run_invocations(c, "helper", invocations=8, restart_at=3)
    assert len(ids) == len(set(ids)) == sum(20 + 30 * (n % 3) for n in range(8))
    assert c.stop() == 0
    counts = Counter(e["event_id"] for e in c.lake_events())
    # Each flush finished before its handler returned, so no request was in flight at a freeze
    # or a restart: exactly once, even without collector-side dedup.
    assert set(counts) == set(ids) and set(counts.values()) == {1}


def test_without_the_helper_a_discarded_environment_loses_its_queue(fixed_port_collector):
    c = fixed_port_collector
    ids = run_invocations(c, "plain", invocations=3)
    assert c.stop() == 0
    landed = {e["event_id"] for e in c.lake_events()}
    assert len(landed & set(ids)) < len(ids)  # what the helper is for
