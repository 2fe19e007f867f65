variable "name" {
  description = "Name prefix of the resources (IAM, log group, alarms)."
  type        = string
  default     = "tracklake"
}

variable "mode" {
  description = "How collectors deliver: \"s3\" (files straight to the bucket, the cheapest path), \"firehose\" (one delivery stream per event type), \"kinesis\" (one Kinesis data stream per event type) or \"kafka\" (your Kafka or MSK cluster; the module creates no Kafka resources, see docs/kafka.md)."
  type        = string
  default     = "s3"
  validation {
    condition     = contains(["s3", "firehose", "kinesis", "kafka"], var.mode)
    error_message = "mode must be \"s3\", \"firehose\", \"kinesis\" or \"kafka\"."
  }
}

variable "bucket_name" {
  description = "S3 bucket of the lake (created by this module)."
  type        = string
}

variable "prefix" {
  description = "Key prefix of the lake in the bucket, ending in \"/\" (tracklake's s3.prefix), or \"\" for the bucket root."
  type        = string
  default     = "events/"
  validation {
    condition     = var.prefix == "" || (endswith(var.prefix, "/") && !startswith(var.prefix, "/"))
    error_message = "prefix must be empty or end in \"/\" (and not start with one)."
  }
}

variable "event_types" {
  description = "Event type => its declared columns (tracklake's [event_types.<name>] columns). Each gets a Glue table and, in firehose mode, a delivery stream."
  type        = map(list(string))
  validation {
    condition     = alltrue([for t in keys(var.event_types) : can(regex("^[a-z0-9_]{1,64}$", t))])
    error_message = "event type names match [a-z0-9_]{1,64}, as tracklake requires."
  }
  validation {
    condition     = alltrue(flatten([for cols in values(var.event_types) : [for c in cols : can(regex("^[a-z0-9_]{1,64}$", c))]]))
    error_message = "declared column names match [a-z0-9_]{1,64}."
  }
}

variable "lake_format" {
  description = "tracklake's lake.format in s3 mode: \"parquet\" or \"ndjson.gz\". Firehose mode always writes JSON lines."
  type        = string
  default     = "parquet"
  validation {
    condition     = contains(["parquet", "ndjson.gz"], var.lake_format)
    error_message = "lake_format must be \"parquet\" or \"ndjson.gz\"."
  }
}

variable "stream_name_template" {
  description = "Delivery (firehose mode) or data (kinesis mode) stream names; {event_type} is replaced. Must equal the collectors' firehose.stream_template or kinesis.stream_template."
  type        = string
  default     = "tracking-{event_type}"
}

variable "firehose_buffer_size_mb" {
  description = "Firehose buffering hint: MiB per S3 object (1..128)."
  type        = number
  default     = 128
}

variable "firehose_buffer_interval_s" {
  description = "Firehose buffering hint: seconds before an object is written (0..900); well inside the 1 hour freshness promise."
  type        = number
  default     = 300
}

variable "firehose_compression" {
  description = "Compression of the objects Firehose writes: GZIP (Athena reads .gz JSON lines) or UNCOMPRESSED."
  type        = string
  default     = "GZIP"
}

variable "kms_key_arn" {
  description = "KMS key for bucket encryption (SSE-KMS); empty for SSE-S3 (AES256)."
  type        = string
  default     = ""
}

variable "transition_to_ia_days" {
  description = "Days after which lake objects move to STANDARD_IA; 0 keeps them in STANDARD."
  type        = number
  default     = 30
}

variable "expiration_days" {
  description = "Days after which lake objects are deleted; 0 keeps them forever."
  type        = number
  default     = 0
}

variable "error_expiration_days" {
  description = "Days after which Firehose error output (the errors prefix) is deleted."
  type        = number
  default     = 30
}

variable "glue_database_name" {
  description = "Glue (Athena) database of the event tables."
  type        = string
  default     = "tracklake"
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log group (collector logs, Firehose delivery errors)."
  type        = number
  default     = 30
}

variable "collector_role_name" {
  description = "IAM role of the collectors (EC2 instance profile, ECS task, EKS service account); the collector policy is attached to it when set."
  type        = string
  default     = ""
}

variable "collector_metrics_namespace" {
  description = "CloudWatch namespace the collectors' Prometheus metrics are published to (e.g. by the CloudWatch agent scraping /metrics); see docs/firehose.md."
  type        = string
  default     = "Tracklake"
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires (e.g. an SNS topic)."
  type        = list(string)
  default     = []
}

variable "freshness_threshold_s" {
  description = "Alarm when data is older than this before it reaches S3 (the design's 1 hour freshness)."
  type        = number
  default     = 3600
}

variable "delivery_success_threshold" {
  description = "Alarm when Firehose's S3 delivery success ratio falls below this."
  type        = number
  default     = 0.98
}

variable "throttled_records_threshold" {
  description = "Alarm when more records than this are throttled in 5 minutes (per stream)."
  type        = number
  default     = 0
}

variable "quota_usage_threshold" {
  description = "Alarm when a stream's incoming bytes reach this share of its per-stream quota."
  type        = number
  default     = 0.8
}

variable "collector_5xx_threshold" {
  description = "Alarm when the collectors answer more 5xx than this in 5 minutes."
  type        = number
  default     = 10
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "kinesis_stream_mode" {
  description = "Kinesis mode: ON_DEMAND (scales by itself, billed per GB) or PROVISIONED (kinesis_shard_count shards per stream, billed per shard-hour)."
  type        = string
  default     = "ON_DEMAND"
  validation {
    condition     = contains(["ON_DEMAND", "PROVISIONED"], var.kinesis_stream_mode)
    error_message = "kinesis_stream_mode must be \"ON_DEMAND\" or \"PROVISIONED\"."
  }
}

variable "kinesis_shard_count" {
  description = "Kinesis mode, PROVISIONED: shards per stream (each takes 1 MB/s or 1,000 records/s)."
  type        = number
  default     = 1
}

variable "kinesis_retention_hours" {
  description = "Kinesis mode: hours a record stays readable (24..8760)."
  type        = number
  default     = 24
}

variable "kafka_brokers" {
  description = "Kafka mode: the cluster's bootstrap servers (e.g. MSK's SASL/SCRAM ones, port 9096), written into the collector_config output."
  type        = string
  default     = ""
}

variable "kafka_topic_template" {
  description = "Kafka mode: topic names; {event_type} is replaced. Written into the collector_config output (kafka.topic_template)."
  type        = string
  default     = "tracking.{event_type}"
}
