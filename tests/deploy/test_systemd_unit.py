"""The systemd unit of the Debian package, checked without a running systemd (not PID 1 in this
sandbox): `systemd-analyze verify` (syntax, keys, the binary), `systemd-analyze security` (the
exposure score docs/operations.md states), the settings the operations guide relies on, and the
real collector's system calls under strace against the unit's SystemCallFilter=."""
import re
import shutil
import signal
import subprocess

import pytest
import requests

import tlharness
from tlharness import ROOT, tracklake_bin
from tlsystemd import UNIT, allowed_syscalls, strace_wrapper, traced_syscalls, unit_settings

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing: run scripts/bootstrap")


def unit_with_binary(tmp_path, text=None):
    """The unit, pointing at the binary under test (verify checks that ExecStart is executable)."""
    path = tmp_path / "tracklake.service"
    path.write_text((text or UNIT.read_text()).replace("/usr/bin/tracklake", tracklake_bin()))
    return path


def verify(path):
    r = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


def test_unit_verifies_without_a_single_warning(tmp_path):
    assert verify(unit_with_binary(tmp_path)) == (0, "")
    # verify only warns, exit code 0, about a misspelt key: the check above must look at the output.
    code, out = verify(unit_with_binary(tmp_path, UNIT.read_text().replace("ProtectHome=", "ProtectHom=")))
    assert "Unknown key 'ProtectHom'" in out


def exposure(path):
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", str(path)], capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d)", r.stdout + r.stderr)
    assert m, r.stdout + r.stderr
    return float(m.group(1))


def test_security_exposure_is_the_one_documented(tmp_path):
    score = exposure(unit_with_binary(tmp_path))
    documented = re.search(r"exposure level (\d+\.\d)", (ROOT / "docs" / "operations.md").read_text())
    assert documented, "docs/operations.md states the unit's exposure level"
    assert score == float(documented.group(1)), f"measured {score}; update docs/operations.md"
    assert score <= 2.0, "systemd calls 2.0 and below OK"
    # The score responds to the hardening: without it the same unit is exposed.
    bare = "\n".join(l for l in UNIT.read_text().splitlines()
                     if not re.match(r"(Protect|Private|Restrict|SystemCall|Capability|NoNew|Lock|Memory)", l))
    assert exposure(unit_with_binary(tmp_path, bare)) > 5


def test_unit_settings_the_operations_guide_relies_on():
    s = unit_settings()
    one = {k: v[-1] for k, v in s.items()}
    assert one["Type"] == "notify" and one["NotifyAccess"] == "main"
    assert one["User"] == "tracklake" and one["ExecStart"].startswith("/usr/bin/tracklake serve --config /etc/tracklake/")
    assert one["Restart"] == "on-failure"
    assert "ExecReload" not in s, "reload is documented as not supported; SIGHUP is ignored"
    assert int(one["LimitNOFILE"]) >= 10_000 + 256  # server.max_connections' default and the reserve
    for key, value in {"ProtectSystem": "strict", "ReadWritePaths": "/var/lib/tracklake", "NoNewPrivileges": "yes",
                       "PrivateTmp": "yes", "ProtectHome": "yes", "CapabilityBoundingSet": ""}.items():
        assert one[key] == value, key
    assert s["SystemCallFilter"][0] == "@system-service"


def stop_waits():
    """The collector's own waits on SIGTERM by default, in seconds: server.shutdown_timeout then
    sink.shutdown_timeout, read from the option reference generated from the option table
    (TimeoutStopSec must exceed them)."""
    reference = (ROOT / "docs" / "config.md").read_text()
    total = 0
    for option in ("server.shutdown_timeout", "sink.shutdown_timeout"):
        row = re.search(r"^\| `" + re.escape(option) + r"` \| seconds \| `(\d+)` \|", reference, re.M)
        assert row, f"{option} is no longer in docs/config.md: set the unit's TimeoutStopSec and update this test"
        total += int(row.group(1))
    return total


def test_stop_timeout_exceeds_the_collectors_drain_and_final_delivery():
    timeout = unit_settings()["TimeoutStopSec"][-1]
    assert timeout.endswith("s")
    assert int(timeout[:-1]) >= stop_waits() + 10


def test_every_system_call_of_a_collectors_life_is_allowed_by_the_filter(collector_factory, tmp_path, monkeypatch):
    """Start (recovery, raising the open-files limit, lowering delivery's priority), ingest,
    /metrics, SIGHUP, and a stop that delivers to the lake: all under strace."""
    trace = tmp_path / "strace.txt"
    monkeypatch.setattr(tlharness, "tracklake_bin", lambda: str(strace_wrapper(tmp_path, trace)))
    c = collector_factory(extra="", start=False)
    c.start()
    for i in range(20):
        assert c.post([{"event_type": "page_view", "n": str(i)}] * 10).status_code == 200
    assert requests.get(c.url + "/metrics", timeout=10).status_code == 200
    c.proc.send_signal(signal.SIGHUP)
    assert c.post({"event_type": "after_hup"}).status_code == 200
    assert c.stop(timeout=120) == 0
    assert len(c.lake_events()) == 201
    used = traced_syscalls(trace, c.proc.pid)
    assert {"fdatasync", "fallocate", "prlimit64", "setpriority", "rt_sigtimedwait"} <= used, used  # the trace is real
    allowed = allowed_syscalls(unit_settings())
    assert "reboot" not in allowed and "setuid" not in allowed
    assert used - allowed == set(), "the unit's SystemCallFilter= would refuse these (EPERM)"
