# Firehose mode: one DirectPut delivery stream per event type, so no stream reaches its
# per-stream throughput quota (the design note's choice over dynamic partitioning, which costs
# more per GB). Objects land in the same dt=/hr= layout as the S3 mode; dt and hr are Firehose's
# arrival time (UTC), within minutes of tracklake's received_at.

resource "aws_cloudwatch_log_stream" "delivery" {
  for_each       = local.stream_types
  name           = "firehose-${each.key}"
  log_group_name = aws_cloudwatch_log_group.tracklake.name
}

resource "aws_kinesis_firehose_delivery_stream" "events" {
  for_each    = local.stream_types
  name        = local.stream_names[each.key]
  destination = "extended_s3"
  tags        = merge(local.tags, { "event_type" = each.key })

  server_side_encryption {
    enabled  = true
    key_type = "AWS_OWNED_CMK"
  }

  extended_s3_configuration {
    role_arn   = aws_iam_role.firehose[0].arn
    bucket_arn = aws_s3_bucket.lake.arn
    # tracklake's records end in "\n", so the objects are JSON lines without a Lambda.
    prefix              = "${var.prefix}${each.key}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/"
    error_output_prefix = "${local.errors_root}${each.key}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
    buffering_size      = var.firehose_buffer_size_mb
    buffering_interval  = var.firehose_buffer_interval_s
    compression_format  = var.firehose_compression
    kms_key_arn         = var.kms_key_arn == "" ? null : var.kms_key_arn

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.tracklake.name
      log_stream_name = aws_cloudwatch_log_stream.delivery[each.key].name
    }
  }
}

# The role Firehose assumes to write the bucket and its error logs.
data "aws_iam_policy_document" "firehose_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "firehose" {
  count              = local.firehose ? 1 : 0
  name               = "${var.name}-firehose-delivery"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "firehose_delivery" {
  statement {
    sid       = "WriteLakeAndErrors"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"]
    resources = ["${aws_s3_bucket.lake.arn}/${var.prefix}*"]
  }
  statement {
    sid       = "FindTheBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [aws_s3_bucket.lake.arn]
  }
  statement {
    sid       = "DeliveryErrorLogs"
    actions   = ["logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.tracklake.arn}:log-stream:firehose-*"]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == "" ? [] : [var.kms_key_arn]
    content {
      sid       = "EncryptObjects"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "firehose_delivery" {
  count  = local.firehose ? 1 : 0
  name   = "deliver-to-lake"
  role   = aws_iam_role.firehose[0].id
  policy = data.aws_iam_policy_document.firehose_delivery.json
}
