"""deploy/prometheus/tracklake-rules.yml with Debian's promtool (unpacked by scripts/bootstrap):
`promtool check rules`, `promtool test rules` on tracklake-rules.test.yml, every alert tested both
firing and silent, and the tests shown to fail when an alert's expression is broken."""
import copy
import subprocess

import pytest
import yaml

from tlharness import ROOT

RULES_DIR = ROOT / "deploy" / "prometheus"
RULES = RULES_DIR / "tracklake-rules.yml"
TESTS = RULES_DIR / "tracklake-rules.test.yml"
PROMTOOL = ROOT / ".cache" / "prometheus" / "usr" / "bin" / "promtool"

pytestmark = pytest.mark.skipif(not PROMTOOL.exists(), reason="promtool missing: run scripts/bootstrap")


def promtool(*args, cwd=RULES_DIR):
    return subprocess.run([str(PROMTOOL), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def alerts(rules):
    return [r for g in rules["groups"] for r in g["rules"] if "alert" in r]


def test_rules_pass_promtool_check():
    r = promtool("check", "rules", str(RULES))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout


def test_rule_unit_tests_pass():
    r = promtool("test", "rules", TESTS.name)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_alert_is_tested_firing_and_silent():
    names = {a["alert"] for a in alerts(yaml.safe_load(RULES.read_text()))}
    cases = [c for t in yaml.safe_load(TESTS.read_text())["tests"] for c in t.get("alert_rule_test", [])]
    fires = {c["alertname"] for c in cases if c.get("exp_alerts")}
    silent = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert names - fires == set(), "alerts with no series that must fire them"
    assert names - silent == set(), "alerts with no series that must leave them silent"
    required = {"TracklakeFreshnessWarning", "TracklakeFreshnessCritical", "Tracklake5xxRatioHigh",
                "TracklakeLogBudgetHigh", "TracklakeBatchesDeadLettered", "TracklakeSinkErrors",
                "TracklakeCollectorDown", "TracklakeDestinationRefused", "TracklakeDeadLetterFilesWaiting",
                "TracklakeNotReady", "TracklakeKafkaDisconnected", "TracklakeDedupJournalErrors",
                "TracklakeDedupEvictedEarly"}
    assert required <= names


@pytest.mark.parametrize("mutation", ["never", "always"])
def test_the_unit_tests_catch_a_broken_alert(tmp_path, mutation):
    """Each alert in turn made to never fire, or to fire at once for everything: promtool's tests
    must fail for each, so none of them passes vacuously."""
    rules = yaml.safe_load(RULES.read_text())
    (tmp_path / TESTS.name).write_text(TESTS.read_text())
    survivors = []
    for name in [a["alert"] for a in alerts(rules)]:
        broken = copy.deepcopy(rules)
        for rule in alerts(broken):
            if rule["alert"] == name:
                rule["expr"] = "vector(1) < 0" if mutation == "never" else 'up{job="tracklake"} or vector(1)'
                rule.pop("for", None)
        (tmp_path / RULES.name).write_text(yaml.safe_dump(broken))
        if promtool("test", "rules", TESTS.name, cwd=tmp_path).returncode == 0:
            survivors.append(name)
    assert survivors == []
