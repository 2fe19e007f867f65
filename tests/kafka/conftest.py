"""One real Kafka broker per test module (KRaft, from Maven Central jars; tests/kafka_broker.py)."""
import pytest

from kafka_broker import KafkaBroker


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    b = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    b.start()
    yield b
    b.close()
