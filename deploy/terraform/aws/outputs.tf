output "bucket" {
  description = "The lake bucket."
  value       = aws_s3_bucket.lake.id
}

output "lake_location" {
  description = "Root of the lake (tracklake ddl --location)."
  value       = local.lake_root
}

output "stream_names" {
  description = "Event type => delivery stream (firehose mode) or data stream (kinesis mode)."
  value = merge({ for t, s in aws_kinesis_firehose_delivery_stream.events : t => s.name },
  { for t, s in aws_kinesis_stream.events : t => s.name })
}

output "glue_database" {
  description = "Glue database of the event tables (query with Athena)."
  value       = aws_glue_catalog_database.lake.name
}

output "collector_policy_arn" {
  description = "The collectors' least-privilege policy; attach it to their role (none in kafka mode)."
  value       = one(aws_iam_policy.collector[*].arn)
}

output "log_group" {
  description = "CloudWatch log group of the collectors and of Firehose delivery errors."
  value       = aws_cloudwatch_log_group.tracklake.name
}

output "collector_config" {
  description = "The [sink] part of the collectors' tracklake.toml for this deployment."
  value = local.kafka ? join("\n", [
    "[sink]", "type = \"kafka\"", "", "[kafka]",
    "brokers = \"${var.kafka_brokers}\"",
    "topic_template = \"${var.kafka_topic_template}\"",
    "exactly_once = true", "",
    "[kafka.properties]",
    "\"security.protocol\" = \"SASL_SSL\"",
    "\"sasl.mechanism\" = \"SCRAM-SHA-512\"",
    "\"sasl.username\" = \"<the MSK SCRAM secret's user>\"",
    "\"sasl.password\" = \"<its password>\"", "",
    ]) : local.kinesis ? join("\n", [
    "[sink]", "type = \"kinesis\"", "", "[kinesis]",
    "stream_template = \"${var.stream_name_template}\"",
    "region = \"${data.aws_region.current.name}\"", "",
    ]) : local.firehose ? join("\n", [
    "[sink]", "type = \"firehose\"", "", "[firehose]",
    "stream_template = \"${var.stream_name_template}\"",
    "region = \"${data.aws_region.current.name}\"",
    "aggregate = true", "",
    ]) : join("\n", [
    "[sink]", "type = \"s3\"", "", "[lake]", "format = \"${var.lake_format}\"", "", "[s3]",
    "bucket = \"${var.bucket_name}\"",
    "prefix = \"${trimsuffix(var.prefix, "/")}\"",
    "region = \"${data.aws_region.current.name}\"",
    "sse = \"${var.kms_key_arn == "" ? "AES256" : "aws:kms"}\"",
    "sse_kms_key_id = \"${var.kms_key_arn}\"", "",
  ])
}
