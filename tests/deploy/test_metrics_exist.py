"""Every metric the Grafana dashboard (deploy/grafana/tracklake.json) and the Prometheus rules
(deploy/prometheus/tracklake-rules.yml) query exists, with the labels they select on, in a live
/metrics scrape of the real collector; every dashboard query is valid PromQL (promtool parses it);
and docs/operations.md lists every metric the collector exports.

Generic on purpose: queries are parsed out of the files, so a panel or alert added later is
checked without touching this test."""
import json
import re
import socket
import subprocess

import pytest
import requests
import yaml

from tlharness import ROOT

DASHBOARD = ROOT / "deploy" / "grafana" / "tracklake.json"
RULES = ROOT / "deploy" / "prometheus" / "tracklake-rules.yml"
PROMTOOL = ROOT / ".cache" / "prometheus" / "usr" / "bin" / "promtool"
OPERATIONS = ROOT / "docs" / "operations.md"

# Labels Prometheus adds to every scraped series, and the series it makes itself.
TARGET_LABELS = {"job", "instance"}
PROMETHEUS_SERIES = {"up"}
KEYWORDS = {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "inf", "nan", "atan2"}
# Grafana's variables, as Prometheus would see them once Grafana has substituted them.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "1m"}


def dashboard_queries():
    d = json.loads(DASHBOARD.read_text())
    panels = [p for top in d["panels"] for p in [top, *top.get("panels", [])]]
    queries = [t["expr"] for p in panels for t in p.get("targets", [])]
    for v in d["templating"]["list"]:
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else None
        if q and q.startswith("label_values("):
            m = re.match(r"label_values\((.*),\s*\w+\)$", q)
            queries.append(m.group(1))
    return queries


def rules():
    return [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]


def selectors(expr):
    """(metric name, {label names}) of every vector selector in a PromQL expression."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values and strings: never names
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges and subqueries' durations
    # by (...), on (...) and the like list labels, not metrics.
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    found = []
    for m in re.finditer(r"(?<![\w.:$])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?", text):
        name, matchers, call = m.groups()
        if call or name in KEYWORDS:
            continue  # a function or aggregation, or an operator
        labels = set(re.findall(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)", matchers or ""))
        found.append((name, labels))
    return found


def test_selectors_are_parsed_the_way_prometheus_reads_them():
    expr = ('sum by (sink) (rate(tracklake_sink_retries_total{job=~"$job",status=~"5.."}[5m]) '
            '* on (job, instance) group_left (sink) tracklake_build_info) / ignoring(x) up > bool 0.5 '
            'and histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m] offset 5m)))')
    assert selectors(expr) == [("tracklake_sink_retries_total", {"job", "status"}), ("tracklake_build_info", set()),
                               ("up", set()), ("h_bucket", set())]


def scrape(collector):
    """{series name: label names seen}, and {family: TYPE}, of one /metrics scrape."""
    text = requests.get(collector.url + "/metrics", timeout=10).text
    series, families = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            families[name] = kind
        elif line and not line.startswith("#"):
            m = re.match(r"([a-zA-Z_:][\w:]*)(\{.*\})?\s", line)
            series.setdefault(m.group(1), set()).update(re.findall(r'(\w+)="', m.group(2) or ""))
    return series, families


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """What collectors export once they have seen each kind of traffic (some series, such as the
    rejections by rule, appear on first use): one on the local lake, and one with sink.type =
    "kafka", whose metrics exist only with that sink. Its brokers never answer (a closed port), so
    its batch fails and the delivery errors by reason appear too; the rest exist from the start."""
    from tlharness import Collector, make_config, wait_for
    root = tmp_path_factory.mktemp("metrics")
    c = Collector(root, make_config(root)).start()
    kafka_root = tmp_path_factory.mktemp("metrics-kafka")
    kafka = Collector(kafka_root, make_config(kafka_root, f"""
[sink]
type = "kafka"

[kafka]
brokers = "127.0.0.1:{closed_port()}"
""")).start(env={"TRACKLAKE_FLUSH_MAX_AGE": "1"})
    try:
        assert c.post({"event_type": "page_view"}).status_code == 200
        assert c.post([{"event_type": "page_view"}, {"event_type": "Bad Type"}]).status_code == 200
        assert c.post({"event_type": "page_view"}, key="wrong").status_code == 401
        assert kafka.post({"event_type": "page_view"}).status_code == 200
        kafka_series = wait_for(lambda: (lambda s: s if "tracklake_kafka_delivery_errors_total" in s[0] else None)(
            scrape(kafka)), timeout=60, what="the Kafka sink's first failed batch")
        series, families = scrape(c)
        for name, labels in kafka_series[0].items():
            series.setdefault(name, set()).update(labels)
        families.update(kafka_series[1])
        yield series, families
    finally:
        c.stop()
        kafka.stop()


def queried():
    """(where, metric, labels) of every selector in the dashboard and the rules."""
    out = [("dashboard", name, labels) for q in dashboard_queries() for name, labels in selectors(q)]
    out += [(r.get("alert") or r["record"], name, labels) for r in rules() for name, labels in selectors(r["expr"])]
    return out


def test_every_metric_the_dashboard_and_rules_query_is_exported(exported):
    series, _ = exported
    recorded = {r["record"] for r in rules() if "record" in r}
    checked, missing = 0, []
    for where, name, labels in queried():
        if name in PROMETHEUS_SERIES or name in recorded:
            continue
        checked += 1
        if name not in series:
            missing.append(f"{where}: {name} is not exported")
        elif unknown := labels - series[name] - TARGET_LABELS:
            missing.append(f"{where}: {name} has no label {sorted(unknown)}")
    assert missing == []
    assert checked > 50  # the parsing found the queries


def test_the_check_would_catch_a_misspelt_metric_or_label(exported):
    series, _ = exported
    [(name, labels)] = selectors('rate(tracklake_event_accepted_total{app="web"}[5m])')
    assert name not in series
    [(name, labels)] = selectors('tracklake_events_accepted_total{app="web"}')
    assert name in series and labels - series[name] == {"app"}


def test_every_recorded_series_the_dashboard_uses_is_defined():
    recorded = {r["record"] for r in rules() if "record" in r}
    for q in dashboard_queries():
        for name, _ in selectors(q):
            assert ":" not in name or name in recorded, name


@pytest.mark.skipif(not PROMTOOL.exists(), reason="promtool missing: run scripts/bootstrap")
def test_every_dashboard_query_is_valid_promql(tmp_path):
    exprs = []
    for q in dashboard_queries():
        for var, value in GRAFANA_VARIABLES.items():
            q = q.replace(var, value)
        exprs.append(q.replace("$job", "tracklake").replace("$instance", ".*").replace("$app", ".*"))
    # promtool parses rule files: each query becomes a recording rule.
    group = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:query{i}", "expr": e}
                                                         for i, e in enumerate(exprs)]}]}
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(group))
    r = subprocess.run([str(PROMTOOL), "check", "rules", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_operations_guide_lists_every_exported_metric(exported):
    _, families = exported
    documented = set(re.findall(r"^\| `([a-z_:]+)`", OPERATIONS.read_text(), re.M))
    assert sorted(set(families) - documented) == [], "add them to the metrics table of docs/operations.md"
    assert sorted(documented - set(families)) == [], "docs/operations.md lists metrics the collector does not export"


def test_dashboard_panels_are_well_formed():
    d = json.loads(DASHBOARD.read_text())
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids))
    for p in d["panels"]:
        if p["type"] == "row":
            continue
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
        assert p["targets"] and all(t["expr"] for t in p["targets"]), p["title"]
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
    # No two panels overlap on the grid.
    cells = {}
    for p in d["panels"]:
        g = p["gridPos"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f'{p["title"]} overlaps {cells[(x, y)]}'
                cells[(x, y)] = p["title"]
