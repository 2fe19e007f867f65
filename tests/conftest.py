"""Shared fixtures: a collector (the real binary) per test, in the test's own directory."""
import pytest

from tlharness import Collector, make_config


@pytest.fixture(autouse=True)
def _own_working_directory(tmp_path, monkeypatch):
    """Every test runs in its own empty directory, so nothing a developer left in the checkout
    (./lake and ./data from `make run`) can change what a command under test sees."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def collector_factory(tmp_path):
    made = []

    def make(extra="", auth=True, start=True, env=None, tls=None, tls_min_version=None, threads=2):
        """tls: TlsFiles to serve HTTPS with (the collector's url and session then use https)."""
        root = tmp_path / f"c{len(made)}"
        root.mkdir()
        server = tls.server_options(tls_min_version) if tls else ""
        c = Collector(root, make_config(root, extra, auth, server, threads), ca_file=tls.ca if tls else None)
        made.append(c)
        if start:
            c.start(env=env)
        return c

    yield make
    for c in made:
        if c.proc and c.proc.poll() is None:
            c.kill9()


@pytest.fixture
def collector(collector_factory):
    return collector_factory()
