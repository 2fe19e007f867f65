"""Fixtures for the client packages' tests: a collector on a fixed port (so it can be restarted
under the client's feet), and a fault proxy in front of a collector."""
import pytest

from clientlib import FaultProxy, free_port


@pytest.fixture
def fixed_port_collector(collector_factory):
    """A collector listening on a port chosen once, so a restart keeps the client's endpoint."""
    port = free_port()
    env = {"TRACKLAKE_SERVER_LISTEN": f"127.0.0.1:{port}"}
    c = collector_factory(env=env)
    c.fixed_env = env
    return c


@pytest.fixture
def fault_proxy():
    made = []

    def make(collector, plan=None):
        p = FaultProxy(collector.port, plan)
        made.append(p)
        return p
    yield make
    for p in made:
        p.close()
