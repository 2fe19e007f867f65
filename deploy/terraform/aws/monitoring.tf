# One log group (collector logs, Firehose delivery errors: one log stream per event type) and
# the alarms of the design note:
#   - data freshness above 1 hour (Firehose: DeliveryToS3.DataFreshness per stream; S3 mode: the
#     collectors' tracklake_oldest_unwritten_event_age_seconds),
#   - throttled records, and incoming bytes near the per-stream quota (Firehose mode),
#   - S3 delivery success below 98 % (Firehose mode),
#   - collector 5xx: tracklake_http_requests_total{status="500"|"503"}, published to
#     var.collector_metrics_namespace by the CloudWatch agent scraping the collectors' /metrics.

locals {
  alarm_period_s = 300
}

resource "aws_cloudwatch_log_group" "tracklake" {
  name              = "/${var.name}/events"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_cloudwatch_metric_alarm" "firehose_freshness" {
  for_each            = local.stream_types
  alarm_name          = "${var.name}-${each.key}-data-freshness"
  alarm_description   = "Events of ${each.key} wait more than ${var.freshness_threshold_s} s before they reach S3."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToS3.DataFreshness"
  dimensions          = { DeliveryStreamName = local.stream_names[each.key] }
  statistic           = "Maximum"
  period              = local.alarm_period_s
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.freshness_threshold_s
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "firehose_throttled" {
  for_each            = local.stream_types
  alarm_name          = "${var.name}-${each.key}-throttled-records"
  alarm_description   = "Firehose throttles records of ${each.key}: the stream is at its quota (the collector retries them)."
  namespace           = "AWS/Firehose"
  metric_name         = "ThrottledRecords"
  dimensions          = { DeliveryStreamName = local.stream_names[each.key] }
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

resource "aws_cloudwatch_metric_alarm" "firehose_delivery_success" {
  for_each            = local.stream_types
  alarm_name          = "${var.name}-${each.key}-delivery-success"
  alarm_description   = "Less than ${var.delivery_success_threshold * 100} % of ${each.key}'s S3 deliveries succeed; failed ones go to the error prefix."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToS3.Success"
  dimensions          = { DeliveryStreamName = local.stream_names[each.key] }
  statistic           = "Average"
  period              = local.alarm_period_s
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  threshold           = var.delivery_success_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

# Incoming bytes per second over the stream's BytesPerSecondLimit quota.
resource "aws_cloudwatch_metric_alarm" "firehose_quota" {
  for_each            = local.stream_types
  alarm_name          = "${var.name}-${each.key}-near-quota"
  alarm_description   = "${each.key} uses more than ${var.quota_usage_threshold * 100} % of its stream's bytes-per-second quota."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.quota_usage_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags

  metric_query {
    id          = "usage"
    expression  = "bytes / ${local.alarm_period_s} / limit"
    label       = "share of BytesPerSecondLimit"
    return_data = true
  }
  metric_query {
    id = "bytes"
    metric {
      namespace   = "AWS/Firehose"
      metric_name = "IncomingBytes"
      dimensions  = { DeliveryStreamName = local.stream_names[each.key] }
      stat        = "Sum"
      period      = local.alarm_period_s
    }
  }
  metric_query {
    id = "limit"
    metric {
      namespace   = "AWS/Firehose"
      metric_name = "BytesPerSecondLimit"
      dimensions  = { DeliveryStreamName = local.stream_names[each.key] }
      stat        = "Maximum"
      period      = local.alarm_period_s
    }
  }
}

# S3 mode: the collectors themselves say how old their oldest undelivered event is.
resource "aws_cloudwatch_metric_alarm" "collector_freshness" {
  count               = local.firehose ? 0 : 1
  alarm_name          = "${var.name}-data-freshness"
  alarm_description   = "A collector holds an event for more than ${var.freshness_threshold_s} s without writing it to S3."
  namespace           = var.collector_metrics_namespace
  metric_name         = "tracklake_oldest_unwritten_event_age_seconds"
  statistic           = "Maximum"
  period              = local.alarm_period_s
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.freshness_threshold_s
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "collector_5xx" {
  alarm_name          = "${var.name}-collector-5xx"
  alarm_description   = "Collectors answer 5xx (503: write-ahead log over budget or the sink behind; 500: internal errors)."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.collector_5xx_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags

  metric_query {
    id          = "errors"
    expression  = "FILL(e500, 0) + FILL(e503, 0)"
    label       = "5xx responses"
    return_data = true
  }
  metric_query {
    id = "e500"
    metric {
      namespace   = var.collector_metrics_namespace
      metric_name = "tracklake_http_requests_total"
      dimensions  = { status = "500" }
      stat        = "Sum"
      period      = local.alarm_period_s
    }
  }
  metric_query {
    id = "e503"
    metric {
      namespace   = var.collector_metrics_namespace
      metric_name = "tracklake_http_requests_total"
      dimensions  = { status = "503" }
      stat        = "Sum"
      period      = local.alarm_period_s
    }
  }
}
