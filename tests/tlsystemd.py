"""Helpers for tests of the systemd unit without a running systemd (it is not PID 1 here): the
unit file as shipped, the system calls its SystemCallFilter= allows, and a collector run under
strace to see which ones it makes."""
import re
import subprocess
import time
from functools import lru_cache
from pathlib import Path

from tlharness import ROOT, tracklake_bin

UNIT = ROOT / "deploy" / "debian" / "tracklake.service"
_CALL = re.compile(r"^\d+\s+([a-z_][a-z0-9_]*)\(")


def unit_settings(path=UNIT):
    """{key: [values]} of the [Service] section, in order (a key may repeat, as SystemCallFilter= does)."""
    settings, section = {}, None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


@lru_cache(maxsize=None)
def syscall_group(name):
    """The system calls of a systemd group such as @system-service, nested groups expanded."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        calls |= syscall_group(word) if word.startswith("@") else {word}
    return frozenset(calls)


def allowed_syscalls(settings):
    """What the unit's SystemCallFilter= lines allow: the first is an allow list, '~' lines
    remove from it, later plain lines add to it (systemd.exec(5))."""
    allowed = set()
    for value in settings["SystemCallFilter"]:
        deny = value.startswith("~")
        names = set()
        for word in value.lstrip("~").split():
            names |= syscall_group(word) if word.startswith("@") else {word}
        allowed = allowed - names if deny else allowed | names
    return allowed


def strace_wrapper(directory: Path, trace: Path) -> Path:
    """An executable that runs tracklake under strace, the tracer detached (-D) so that the
    collector keeps the pid its parent started and gets signals directly."""
    script = directory / "tracklake-under-strace"
    script.write_text(f'#!/bin/sh\nexec strace -D -f -q -o "{trace}" "{tracklake_bin()}" "$@"\n')
    script.chmod(0o755)
    return script


def traced_syscalls(trace: Path, pid: int, timeout=30.0):
    """The system call names in an strace -f output file, once the process has exited in it."""
    deadline = time.monotonic() + timeout
    exited = re.compile(rf"^{pid}\s+\+\+\+ exited with", re.M)
    while not exited.search(trace.read_text()):
        assert time.monotonic() < deadline, f"strace did not finish {trace}"
        time.sleep(0.1)
    return {m.group(1) for line in trace.read_text().splitlines() if (m := _CALL.match(line))}
