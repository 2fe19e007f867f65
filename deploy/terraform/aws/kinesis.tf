# Kinesis mode: one data stream per event type (tracklake's sink.type = "kinesis", one JSON record
# per event, docs/kinesis.md), encrypted with the AWS managed key. Consumers (Lambda, Flink, a
# Firehose reading the stream) are yours to attach.

locals {
  kinesis_types        = local.kinesis ? var.event_types : {}
  kinesis_stream_names = { for t, _ in local.kinesis_types : t => replace(var.stream_name_template, "{event_type}", t) }
}

resource "aws_kinesis_stream" "events" {
  for_each         = local.kinesis_types
  name             = local.kinesis_stream_names[each.key]
  shard_count      = var.kinesis_stream_mode == "PROVISIONED" ? var.kinesis_shard_count : null
  retention_period = var.kinesis_retention_hours
  encryption_type  = "KMS"
  kms_key_id       = "alias/aws/kinesis"
  tags             = merge(local.tags, { "event_type" = each.key })

  stream_mode_details {
    stream_mode = var.kinesis_stream_mode
  }
}

# Writes refused for throughput: the collectors retry them (the log holds the events), but a
# stream that keeps refusing needs more shards (or on-demand mode).
resource "aws_cloudwatch_metric_alarm" "kinesis_throttled" {
  for_each            = local.kinesis_types
  alarm_name          = "${var.name}-${each.key}-kinesis-write-throttled"
  alarm_description   = "Kinesis refused writes to ${local.kinesis_stream_names[each.key]} for throughput in 5 minutes."
  namespace           = "AWS/Kinesis"
  metric_name         = "WriteProvisionedThroughputExceeded"
  dimensions          = { StreamName = local.kinesis_stream_names[each.key] }
  statistic           = "Sum"
  period              = local.alarm_period_s
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.throttled_records_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}
