# tracklake on AWS: the lake bucket, its Glue tables, (in firehose mode) one delivery stream per
# event type, the collectors' least-privilege policy, logs and alarms. See README.md
# "Deploying on AWS" and docs/firehose.md.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  firehose    = var.mode == "firehose"
  lake_root   = "s3://${var.bucket_name}/${var.prefix}"
  errors_root = "${var.prefix}_firehose_errors/"
  # Firehose mode: one stream per event type (for_each over the variable).
  stream_types = local.firehose ? var.event_types : {}
  stream_names = { for t, _ in local.stream_types : t => replace(var.stream_name_template, "{event_type}", t) }
  # JSON lines (Firehose, or lake.format = "ndjson.gz") or Parquet.
  json_tables = local.firehose || var.lake_format == "ndjson.gz"
  tags        = merge({ "app" = "tracklake" }, var.tags)
}
