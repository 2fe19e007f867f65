# tracklake on AWS: the lake bucket, its Glue tables, (in firehose mode) one delivery stream per
# event type or (in kinesis mode) one data stream per event type, the collectors' least-privilege
# policy, logs and alarms. Kafka mode creates nothing for Kafka (MSK is set up on its own, see
# docs/kafka.md) and prints the collectors' [kafka] section. See README.md "Deploying on AWS",
# docs/firehose.md, docs/kinesis.md.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  firehose    = var.mode == "firehose"
  kinesis     = var.mode == "kinesis"
  kafka       = var.mode == "kafka"
  lake_root   = "s3://${var.bucket_name}/${var.prefix}"
  errors_root = "${var.prefix}_firehose_errors/"
  # Firehose mode: one stream per event type (for_each over the variable).
  stream_types = local.firehose ? var.event_types : {}
  stream_names = { for t, _ in local.stream_types : t => replace(var.stream_name_template, "{event_type}", t) }
  # JSON lines (Firehose, or lake.format = "ndjson.gz") or Parquet.
  json_tables = local.firehose || var.lake_format == "ndjson.gz"
  tags        = merge({ "app" = "tracklake" }, var.tags)
}
