# The collectors' least-privilege policy: write lake objects under the prefix (S3 mode; single
# PutObject and multipart uploads — CreateMultipartUpload, UploadPart and
# CompleteMultipartUpload are authorised by s3:PutObject; AbortMultipartUpload cleans up an upload a
# crash interrupted), or put records into exactly the event types' streams (Firehose and Kinesis
# modes). The sink check (at start, and while a destination refuses) needs one more action:
# HeadBucket (s3:ListBucket on the bucket itself; its probe object under <prefix>_tracklake/ is a
# PutObject), DescribeDeliveryStream or DescribeStreamSummary on the same streams. No wildcard actions, no object reads. Kafka mode
# needs no AWS permission (SASL/SCRAM users and ACLs on the cluster: docs/kafka.md), so it has no
# policy.

data "aws_iam_policy_document" "collector" {
  dynamic "statement" {
    for_each = var.mode == "s3" ? ["s3"] : []
    content {
      sid       = "PutLakeObjects"
      actions   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
      resources = ["${aws_s3_bucket.lake.arn}/${var.prefix}*"]
    }
  }
  dynamic "statement" {
    for_each = var.mode == "s3" ? ["s3"] : []
    content {
      sid       = "CheckLakeBucket"
      actions   = ["s3:ListBucket"]
      resources = [aws_s3_bucket.lake.arn]
    }
  }
  dynamic "statement" {
    for_each = local.kinesis ? ["kinesis"] : []
    content {
      sid       = "PutRecordsPerEventTypeStream"
      actions   = ["kinesis:PutRecords", "kinesis:DescribeStreamSummary"]
      resources = [for s in aws_kinesis_stream.events : s.arn]
    }
  }
  dynamic "statement" {
    for_each = local.firehose ? ["firehose"] : []
    content {
      sid       = "PutRecordsPerEventType"
      actions   = ["firehose:PutRecordBatch", "firehose:DescribeDeliveryStream"]
      resources = [for s in aws_kinesis_firehose_delivery_stream.events : s.arn]
    }
  }
  dynamic "statement" {
    for_each = var.mode == "s3" && var.kms_key_arn != "" ? [var.kms_key_arn] : []
    content {
      sid       = "EncryptLakeObjects"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "collector" {
  count       = local.kafka ? 0 : 1
  name        = "${var.name}-collector"
  description = "tracklake collectors: deliver events (${var.mode} mode)"
  policy      = data.aws_iam_policy_document.collector.json
  tags        = local.tags
}

resource "aws_iam_role_policy_attachment" "collector" {
  count      = var.collector_role_name == "" || local.kafka ? 0 : 1
  role       = var.collector_role_name
  policy_arn = aws_iam_policy.collector[0].arn
}
