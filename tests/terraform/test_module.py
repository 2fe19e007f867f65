"""The Terraform module deploy/terraform/aws, parsed with python-hcl2 (Terraform cannot fetch
providers here, so `terraform validate` is not available): its structure is checked against
what tracklake does — one Glue table per event type with the layout of `tracklake ddl`, one
delivery stream per event type in firehose mode, one Kinesis data stream per event type in
kinesis mode, nothing for Kafka in kafka mode, a private encrypted bucket, a least-privilege
collector policy, and the alarms of the design note on metrics that really exist."""
import json
import re
import subprocess
from pathlib import Path

import hcl2
import pytest

from tlharness import ROOT, clean_env, tracklake_bin

MODULE = ROOT / "deploy" / "terraform" / "aws"


def unquote(value):
    """python-hcl2 keeps string literals quoted ("\"s3\""); expressions stay "${...}"."""
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return json.loads(value)
    return value


class Module:
    def __init__(self, path):
        self.resources, self.data, self.variables, self.locals = {}, {}, {}, {}
        self.files = sorted(path.glob("*.tf"))
        for tf in self.files:
            with open(tf) as f:
                doc = unquote(hcl2.load(f))
            for block in doc.get("resource", []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        self.resources[(rtype, name)] = body
            for block in doc.get("data", []):
                for dtype, named in block.items():
                    for name, body in named.items():
                        self.data[(dtype, name)] = body
            for block in doc.get("variable", []):
                self.variables.update(block)
            for block in doc.get("locals", []):
                self.locals.update(block)

    def of_type(self, rtype):
        return {name: body for (t, name), body in self.resources.items() if t == rtype}

    def default(self, variable):
        return self.variables[variable]["default"]


@pytest.fixture(scope="module")
def module():
    return Module(MODULE)


def one(blocks):
    assert isinstance(blocks, list) and len(blocks) == 1, blocks
    return blocks[0]


def statements(document):
    """Statements of an aws_iam_policy_document, dynamic ones included."""
    out = list(document.get("statement", []))
    for dynamic in document.get("dynamic", []):
        for name, body in dynamic.items():
            if name == "statement":
                out.append(one(body["content"]))
    return out


def test_every_event_type_gets_a_glue_table_and_in_firehose_mode_a_stream(module):
    assert module.variables["event_types"]["type"] == "${map(list(string))}"
    [table] = module.of_type("aws_glue_catalog_table").values()
    assert table["for_each"] == "${var.event_types}"
    assert table["name"] == "${each.key}"
    assert module.locals["stream_types"] == '${local.firehose ? var.event_types : {}}'
    assert module.locals["firehose"] == '${var.mode == "firehose"}'
    [stream] = module.of_type("aws_kinesis_firehose_delivery_stream").values()
    assert stream["for_each"] == "${local.stream_types}"
    assert stream["name"] == "${local.stream_names[each.key]}"
    assert stream["destination"] == "extended_s3"
    # Every per-stream resource iterates over the same event types (Kinesis mode's over its own).
    per_stream = [body for (t, _), body in module.resources.items()
                  if t in ("aws_cloudwatch_log_stream", "aws_cloudwatch_metric_alarm") and "for_each" in body]
    assert len(per_stream) >= 5
    assert all(body["for_each"] in ("${local.stream_types}", "${local.kinesis_types}") for body in per_stream)


def test_stream_names_are_the_ones_the_collector_uses(module):
    # The collector's default firehose.stream_template, as documented from its option table.
    row = next(line for line in (ROOT / "docs" / "config.md").read_text().splitlines()
               if line.startswith("| `firehose.stream_template`"))
    collector_default = json.loads(row.split("|")[3].strip().strip("`"))
    assert module.default("stream_name_template") == collector_default
    assert module.locals["stream_names"] == \
        '${{for t, _ in local.stream_types : t => replace(var.stream_name_template, "{event_type}", t)}}'


def ddl_tables(tmp_path, event_types, location):
    config = tmp_path / "ddl.toml"
    config.write_text('[auth]\nmode = "none"\n' + "".join(
        f'[event_types.{t}]\ncolumns = {json.dumps(cols)}\n' for t, cols in event_types.items()))
    out = subprocess.run([tracklake_bin(), "ddl", "--dialect", "athena", "--config", str(config),
                          "--location", location], capture_output=True, text=True, env=clean_env(), check=True).stdout
    tables = {}
    for statement in out.split("CREATE EXTERNAL TABLE IF NOT EXISTS ")[1:]:
        name = re.match(r"`(\w+)`", statement).group(1)
        columns = re.findall(r"^  `(\w+)` (\S+?),?$", statement.split("PARTITIONED BY")[0], re.M)
        properties = dict(re.findall(r"^  '([\w.]+)' = '([^']*)'", statement, re.M))
        tables[name] = (columns, properties)
    return tables


def test_glue_tables_have_the_columns_and_projection_of_tracklake_ddl(module, tmp_path):
    event_types = {"page_view": ["url", "referrer"], "purchase": ["order_id", "user_id", "amount"]}
    tables = ddl_tables(tmp_path, event_types, "s3://lake-bucket/events/")
    assert set(tables) == set(event_types)
    base = [(c["name"], c["type"]) for c in module.locals["base_columns"]]
    properties = (module.locals["properties_column"]["name"], module.locals["properties_column"]["type"])
    reserved = [name for name, _ in base] + ["properties"]
    [table] = module.of_type("aws_glue_catalog_table").values()
    assert [(k["name"], k["type"]) for k in table["partition_keys"]] == [("dt", "string"), ("hr", "string")]
    for event_type, declared in event_types.items():
        # The module's rule (glue.tf table_columns) applied to the declared columns.
        expected = base + [(d, "string") for d in dict.fromkeys(declared) if d not in reserved] + [properties]
        ddl_columns, ddl_properties = tables[event_type]
        assert expected == ddl_columns
        projection = {k: v for k, v in ddl_properties.items() if k.startswith("projection.")}
        assert projection == {k: v for k, v in table["parameters"].items() if k.startswith("projection.")}
        template = (table["parameters"]["storage.location.template"]
                    .replace("${local.lake_root}", "s3://lake-bucket/events/").replace("${each.key}", event_type)
                    .replace("$${", "${"))
        assert template == ddl_properties["storage.location.template"]
    assert module.locals["lake_root"] == "s3://${var.bucket_name}/${var.prefix}"


def test_firehose_streams_write_the_lake_layout_with_an_error_prefix_and_buffering(module):
    [stream] = module.of_type("aws_kinesis_firehose_delivery_stream").values()
    s3 = one(stream["extended_s3_configuration"])
    assert s3["prefix"] == "${var.prefix}${each.key}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/"
    assert "!{firehose:error-output-type}" in s3["error_output_prefix"]
    assert s3["error_output_prefix"].startswith("${local.errors_root}")
    assert s3["buffering_size"] == "${var.firehose_buffer_size_mb}"
    assert s3["buffering_interval"] == "${var.firehose_buffer_interval_s}"
    assert 1 <= module.default("firehose_buffer_size_mb") <= 128
    assert 0 <= module.default("firehose_buffer_interval_s") <= 900
    logging = one(s3["cloudwatch_logging_options"])
    assert logging["enabled"] is True
    assert logging["log_group_name"] == "${aws_cloudwatch_log_group.tracklake.name}"
    # Errors are outside the tables' locations but under a lifecycle rule.
    assert module.locals["errors_root"] == "${var.prefix}_firehose_errors/"


def test_the_bucket_is_private_encrypted_and_drops_incomplete_uploads(module):
    block = module.of_type("aws_s3_bucket_public_access_block")["lake"]
    for setting in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert block[setting] is True, setting
    assert "acl" not in module.of_type("aws_s3_bucket")["lake"]
    ownership = one(module.of_type("aws_s3_bucket_ownership_controls")["lake"]["rule"])
    assert ownership["object_ownership"] == "BucketOwnerEnforced"
    sse = one(one(module.of_type("aws_s3_bucket_server_side_encryption_configuration")["lake"]["rule"])
              ["apply_server_side_encryption_by_default"])
    assert "AES256" in sse["sse_algorithm"] and "aws:kms" in sse["sse_algorithm"]
    rules = module.of_type("aws_s3_bucket_lifecycle_configuration")["lake"]["rule"]
    lake_rule = next(r for r in rules if r["id"] == "lake")
    assert one(lake_rule["abort_incomplete_multipart_upload"])["days_after_initiation"] == 1
    assert any(r["id"] == "firehose-errors" and "expiration" in r for r in rules)
    # The bucket policy only denies (plain HTTP); nothing is allowed to everyone.
    for statement in statements(module.data[("aws_iam_policy_document", "lake_bucket")]):
        assert statement["effect"] == "Deny"


def test_iam_policies_name_every_action_and_the_collector_gets_only_what_it_needs(module):
    documents = {name: body for (t, name), body in module.data.items() if t == "aws_iam_policy_document"}
    for name, document in documents.items():
        for statement in statements(document):
            for action in statement.get("actions", []):
                assert "*" not in action, (name, action)
            if statement.get("effect", "Allow") == "Allow":
                assert "*" not in statement.get("resources", []), name
    collector = statements(documents["collector"])
    by_sid = {s["sid"]: s for s in collector}
    assert set(by_sid["PutLakeObjects"]["actions"]) <= {"s3:PutObject", "s3:AbortMultipartUpload",
                                                         "s3:ListMultipartUploadParts"}
    assert by_sid["PutLakeObjects"]["resources"] == ["${aws_s3_bucket.lake.arn}/${var.prefix}*"]
    # The start-up check (tracklake serve): HeadBucket needs s3:ListBucket, on the bucket alone.
    assert by_sid["CheckLakeBucket"]["actions"] == ["s3:ListBucket"]
    assert by_sid["CheckLakeBucket"]["resources"] == ["${aws_s3_bucket.lake.arn}"]
    # Firehose: the records, and DescribeDeliveryStream for the check, on exactly those streams.
    assert by_sid["PutRecordsPerEventType"]["actions"] == ["firehose:PutRecordBatch", "firehose:DescribeDeliveryStream"]
    assert "aws_kinesis_firehose_delivery_stream.events" in by_sid["PutRecordsPerEventType"]["resources"]
    no_reads = [a for s in collector for a in s["actions"]
                if ":Get" in a or ":List" in a and "Parts" not in a and s["sid"] != "CheckLakeBucket"]
    assert no_reads == []
    # Every action the collector's code sends is granted: the S3, Firehose and Kinesis calls it makes.
    granted = {a for s in collector for a in s["actions"]}
    sources = "\n".join(p.read_text() for p in (ROOT / "src" / "sink").rglob("*.cc"))
    for call, action in (("HeadBucketCall", "s3:ListBucket"), ("AbortMultipartUploadCall", "s3:AbortMultipartUpload"),
                         ("kDescribeDeliveryStreamTarget", "firehose:DescribeDeliveryStream"),
                         ("kDescribeStreamSummaryTarget", "kinesis:DescribeStreamSummary")):
        assert call in sources and action in granted, (call, action)
    policy = module.of_type("aws_iam_policy")["collector"]
    assert policy["policy"] == "${data.aws_iam_policy_document.collector.json}"


def alarms_on(module, metric):
    found = []
    for alarm in module.of_type("aws_cloudwatch_metric_alarm").values():
        names = [alarm.get("metric_name")] + [one(q["metric"])["metric_name"] for q in alarm.get("metric_query", [])
                                              if "metric" in q]
        if metric in names:
            found.append(alarm)
    return found


def test_the_alarms_of_the_design_note_exist(module):
    [freshness] = alarms_on(module, "DeliveryToS3.DataFreshness")
    assert freshness["threshold"] == "${var.freshness_threshold_s}" and module.default("freshness_threshold_s") == 3600
    assert freshness["comparison_operator"] == "GreaterThanThreshold"
    [throttled] = alarms_on(module, "ThrottledRecords")
    assert throttled["statistic"] == "Sum"
    [success] = alarms_on(module, "DeliveryToS3.Success")
    assert success["comparison_operator"] == "LessThanThreshold"
    assert module.default("delivery_success_threshold") == 0.98
    assert alarms_on(module, "BytesPerSecondLimit")
    [errors] = alarms_on(module, "tracklake_http_requests_total")
    statuses = {one(q["metric"])["dimensions"]["status"] for q in errors["metric_query"] if "metric" in q}
    assert statuses == {"500", "503"}
    [collector_freshness] = alarms_on(module, "tracklake_oldest_unwritten_event_age_seconds")
    assert collector_freshness["count"] == "${local.firehose ? 0 : 1}"


def test_alarms_watch_metrics_the_collector_really_publishes(module):
    sources = "\n".join(p.read_text() for p in (ROOT / "src").rglob("*.cc"))
    for metric in ("tracklake_http_requests_total", "tracklake_oldest_unwritten_event_age_seconds"):
        assert alarms_on(module, metric)
        assert f'"{metric}"' in sources, metric


def test_the_mode_and_names_are_validated(module):
    mode = module.variables["mode"]
    assert mode["default"] in ("s3", "firehose", "kinesis", "kafka")
    assert one(mode["validation"])["condition"] == '${contains(["s3", "firehose", "kinesis", "kafka"], var.mode)}'
    conditions = [v["condition"] for v in module.variables["event_types"]["validation"]]
    assert any("^[a-z0-9_]{1,64}$" in c and "keys(var.event_types)" in c for c in conditions)


def collector_default(option):
    row = next(line for line in (ROOT / "docs" / "config.md").read_text().splitlines()
               if line.startswith(f"| `{option}`"))
    return json.loads(row.split("|")[3].strip().strip("`"))


def test_kinesis_mode_makes_one_encrypted_stream_per_event_type_named_as_the_collector_does(module):
    assert module.locals["kinesis"] == '${var.mode == "kinesis"}'
    assert module.locals["kinesis_types"] == "${local.kinesis ? var.event_types : {}}"
    assert module.locals["kinesis_stream_names"] == \
        '${{for t, _ in local.kinesis_types : t => replace(var.stream_name_template, "{event_type}", t)}}'
    assert module.default("stream_name_template") == collector_default("kinesis.stream_template")
    [stream] = module.of_type("aws_kinesis_stream").values()
    assert stream["for_each"] == "${local.kinesis_types}"
    assert stream["name"] == "${local.kinesis_stream_names[each.key]}"
    assert stream["encryption_type"] == "KMS" and stream["kms_key_id"] == "alias/aws/kinesis"
    assert one(stream["stream_mode_details"])["stream_mode"] == "${var.kinesis_stream_mode}"
    # Shards only in provisioned mode (on-demand streams refuse a shard count).
    assert stream["shard_count"] == '${var.kinesis_stream_mode == "PROVISIONED" ? var.kinesis_shard_count : null}'
    assert module.default("kinesis_stream_mode") == "ON_DEMAND"
    assert 24 <= module.default("kinesis_retention_hours") <= 8760
    [throttled] = alarms_on(module, "WriteProvisionedThroughputExceeded")
    assert throttled["for_each"] == "${local.kinesis_types}"


def test_in_kinesis_mode_the_collector_may_only_put_records_into_those_streams(module):
    collector = {s["sid"]: s for s in statements(module.data[("aws_iam_policy_document", "collector")])}
    kinesis = collector["PutRecordsPerEventTypeStream"]
    # The records, and DescribeStreamSummary for the sink check (Sink::Check), on those streams only.
    assert kinesis["actions"] == ["kinesis:PutRecords", "kinesis:DescribeStreamSummary"]
    assert kinesis["resources"] == ["${[for s in aws_kinesis_stream.events : s.arn]}"] or \
        "aws_kinesis_stream.events" in str(kinesis["resources"])
    dynamic = {one(body["statement"]["content"])["sid"]: body["statement"]["for_each"]
               for body in module.data[("aws_iam_policy_document", "collector")]["dynamic"]}
    assert dynamic["PutRecordsPerEventTypeStream"] == '${local.kinesis ? ["kinesis"] : []}'
    # S3 writes only in s3 mode: a Kinesis or Kafka collector cannot touch the lake bucket.
    assert dynamic["PutLakeObjects"] == '${var.mode == "s3" ? ["s3"] : []}'


def test_kafka_mode_creates_nothing_for_kafka_and_no_aws_policy(module):
    assert module.locals["kafka"] == '${var.mode == "kafka"}'
    assert not [t for (t, _) in module.resources if "msk" in t or "kafka" in t.replace("kinesis_firehose", "")]
    assert module.of_type("aws_iam_policy")["collector"]["count"] == "${local.kafka ? 0 : 1}"
    assert "local.kafka" in module.of_type("aws_iam_role_policy_attachment")["collector"]["count"]
    assert module.default("kafka_topic_template") == collector_default("kafka.topic_template")
    outputs = (MODULE / "outputs.tf").read_text()
    assert 'type = \\"kafka\\"' in outputs and "kafka_brokers" in outputs and "SCRAM-SHA-512" in outputs
