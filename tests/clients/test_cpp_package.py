"""The C++ client as another project uses it: `cmake --install` of this build into a temporary
prefix (the client component), a consumer project of its own (tests/clients/cpp_consumer) that
does find_package(tracklake) and links tracklake::client, built against that prefix, then run
against the real collector: events land exactly once, through a collector killed and restarted
mid-run, and Retry-After is honoured."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from clientlib import assert_each_once, assert_each_once_as_tracked
from tlharness import ROOT, WRITE_KEY, tracklake_bin, wait_for

CONSUMER = ROOT / "tests" / "clients" / "cpp_consumer"


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    build_dir = Path(tracklake_bin()).resolve().parent.parent
    prefix = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", str(build_dir), "--prefix", str(prefix), "--component", "client"])
    return prefix


@pytest.fixture(scope="module")
def consumer(installed, tmp_path_factory):
    build = tmp_path_factory.mktemp("consumer-build")
    configure = ["cmake", "-S", str(CONSUMER), "-B", str(build), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                 f"-DCMAKE_PREFIX_PATH={installed}"]
    if shutil.which("ccache"):
        configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    run(configure)
    run(["cmake", "--build", str(build)])
    return build / "consumer"


def consumer_env(url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLAKE_")}
    env.update(TRACKLAKE_APP_ID="web", TRACKLAKE_EVENT_TYPES="click", TRACKLAKE_ENDPOINT=url,
               TRACKLAKE_WRITE_KEY=WRITE_KEY, TRACKLAKE_BATCH_AGE="0.05", **extra)
    return env


def parse(stdout):
    lines = stdout.split("\n")
    ids = [line for line in lines if len(line) == 36]
    flushed = next(line for line in lines if line.startswith("flushed "))
    stats = next(line for line in lines if line.startswith("stats ")).split()
    return ids, flushed == "flushed 1", stats


def test_the_install_carries_one_public_header_and_the_package_config(installed):
    files = {str(p.relative_to(installed)) for p in installed.rglob("*") if p.is_file()}
    headers = {f for f in files if f.startswith("include/")}
    assert headers == {"include/tracklake/client.h"}  # no internal header leaks out
    assert any(f.endswith("cmake/tracklake/tracklakeConfig.cmake") for f in files)
    assert any(f.endswith("cmake/tracklake/tracklakeConfigVersion.cmake") for f in files)
    assert any(f.endswith("tracklake/libtl_tracker.a") for f in files)


def test_a_consumer_project_sends_events_that_land_exactly_once(consumer, collector):
    r = run([str(consumer), "700"], env=consumer_env(collector.url))
    ids, flushed, stats = parse(r.stdout)
    assert flushed and len(ids) == 700
    assert stats[1:5] == ["700", "0", "0", "0"]
    assert stats[5] == (ROOT / "VERSION").read_text().strip()
    assert collector.stop() == 0
    events = collector.lake_events()
    assert_each_once(events, ids)
    e = next(e for e in events if e["seq"] == "42")
    assert (e["lib"], e["page.url"], e["app_id"], e["event_type"]) == ("cpp", "/ü?q=\"x\"", "web", "click")
    assert e["event_time"] <= e["received_at"]


def test_a_collector_killed_and_restarted_mid_run_loses_nothing(consumer, fixed_port_collector):
    c = fixed_port_collector
    proc = subprocess.Popen([str(consumer), "3000", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=consumer_env(c.url))

    def accepted():
        for line in c.session.get(c.url + "/metrics").text.splitlines():
            if line.startswith("tracklake_events_accepted_total "):
                return float(line.split()[1])
        return 0
    wait_for(lambda: accepted() > 0 or proc.poll() is not None, what="first events accepted")
    assert proc.poll() is None  # still sending: the kill lands mid-run
    c.kill9()
    time.sleep(0.5)
    c.start(env=c.fixed_env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    ids, flushed, stats = parse(out)
    assert flushed and len(ids) == 3000
    assert int(stats[4]) >= 1  # retries
    assert "will retry" in err  # the default log goes to stderr
    assert c.stop() == 0
    assert_each_once_as_tracked(c.lake_events(), ids)


def test_retry_after_is_honoured(consumer, collector, fault_proxy):
    proxy = fault_proxy(collector, lambda n: ("status", 503, 1) if n == 1 else None)
    r = run([str(consumer), "10"], env=consumer_env(proxy.url))
    ids, flushed, _ = parse(r.stdout)
    assert flushed
    (t1, action, headers), (t2, _, _) = proxy.log[:2]
    assert action == ("status", 503, 1) and t2 - t1 >= 0.95
    assert headers["Content-Encoding"] == "gzip" and headers["User-Agent"].startswith("tracklake-cpp/")
    assert collector.stop() == 0
    assert_each_once(collector.lake_events(), ids)
