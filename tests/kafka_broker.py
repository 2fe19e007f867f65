"""A real single-node Kafka broker (KRaft, Kafka 4.x from Maven Central jars fetched by
scripts/bootstrap into .cache/kafka/libs, Debian's OpenJDK 17) on 127.0.0.1 random ports, for
the Kafka tests and the benchmark. See /work/shared/kafka-broker-notes.md for the pitfalls."""
import base64
import logging
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBS = ROOT / ".cache" / "kafka" / "libs"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


QUIET = logging.getLogger("kafka-test-clients")
QUIET.setLevel(logging.CRITICAL)

LOG4J = """status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.file.ref = file
"""


class KafkaBroker:
    """start() formats a fresh log directory and runs the broker; stop()/start() again keeps the
    data and the ports (a broker restart); close() stops it for good."""

    def __init__(self, directory: Path, auto_create_topics=False, extra=None):
        if not (LIBS / "kafka_2.13-4.4.0.jar").exists() and not list(LIBS.glob("kafka_2.13-*.jar")):
            raise RuntimeError(f"no Kafka jars in {LIBS}: run scripts/bootstrap")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.controller_port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.proc = None
        self.log_file = None
        self.config = self.dir / "server.properties"
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "log.dirs": str(self.dir / "data"),
            "num.partitions": "3",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true" if auto_create_topics else "false",
            "log.flush.interval.messages": "9223372036854775807",
        }
        settings.update(extra or {})
        self.config.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        (self.dir / "log4j2.properties").write_text(
            LOG4J.format(log=self.dir / "broker.log", level=os.environ.get("TRACKLAKE_KAFKA_LOG_LEVEL", "WARN")))
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(self.config), check=True)

    def _java(self, main, *args, check=False, background=False):
        command = ["java", "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                   f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
                   "-cp", f"{LIBS}/*", main, *args]
        if background:
            self.log_file = open(self.dir / "stdout.log", "ab")
            return subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT)
        result = subprocess.run(command, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{main} failed: {result.stdout}\n{result.stderr}")
        return result

    def start(self, timeout=60):
        self.proc = self._java("kafka.Kafka", str(self.config), background=True)
        self.wait_ready(timeout)
        return self

    def admin(self):
        from confluent_kafka.admin import AdminClient
        return AdminClient({"bootstrap.servers": self.bootstrap, "logger": QUIET})

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker exited with {self.proc.returncode}: {self.logs()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                if self.admin().list_topics(timeout=2).brokers:
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.1)
        raise RuntimeError(f"broker not ready after {timeout}s: {self.logs()}")

    def logs(self):
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in (self.dir / "stdout.log", self.dir / "broker.log")
                         if p.exists())

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    close = stop

    def create_topics(self, *names, partitions=3, config=None):
        from confluent_kafka.admin import NewTopic
        admin = self.admin()  # must outlive the futures
        futures = admin.create_topics([NewTopic(n, num_partitions=partitions, replication_factor=1,
                                                config=config or {}) for n in names])
        for future in futures.values():
            future.result(timeout=30)

    def consume_all(self, topic, expected=None, timeout=30, isolation="read_committed"):
        """Every message of topic as (key, value, headers dict), read from the beginning with a
        fresh group until `expected` messages arrived (or the topic stays quiet for 3 s)."""
        from confluent_kafka import Consumer, KafkaError
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"test-{uuid.uuid4().hex}",
                             "auto.offset.reset": "earliest", "enable.auto.commit": False,
                             "isolation.level": isolation, "enable.partition.eof": False, "logger": QUIET})
        consumer.subscribe([topic])
        out = []
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        try:
            while time.monotonic() < deadline:
                message = consumer.poll(0.2)
                if message is None:
                    if expected is None and time.monotonic() - quiet_since > 3:
                        break
                    if expected is not None and len(out) >= expected and time.monotonic() - quiet_since > 1:
                        break
                    continue
                if message.error():
                    if message.error().code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                        continue
                    raise RuntimeError(message.error())
                quiet_since = time.monotonic()
                out.append((message.key(), message.value(), {k: v for k, v in (message.headers() or [])}))
        finally:
            consumer.close()
        return out
