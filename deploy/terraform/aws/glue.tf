# One Glue (Athena) table per event type, with partition projection over dt and hr: the layout
# and columns of `tracklake ddl --dialect athena`, so no crawler and no MSCK REPAIR are needed.

locals {
  base_columns = [
    { name = "event_id", type = "string" },
    { name = "event_type", type = "string" },
    { name = "app_id", type = "string" },
    { name = "received_at", type = "timestamp" },
    { name = "event_time", type = "timestamp" },
    { name = "user_id", type = "string" },
    { name = "anonymous_id", type = "string" },
    { name = "session_id", type = "string" },
  ]
  properties_column = { name = "properties", type = "map<string,string>" }
  reserved_columns  = concat([for c in local.base_columns : c.name], ["properties"])
  table_columns = {
    for t, declared in var.event_types : t => concat(
      local.base_columns,
      [for d in distinct(declared) : { name = d, type = "string" } if !contains(local.reserved_columns, d)],
      [local.properties_column],
    )
  }
}

resource "aws_glue_catalog_database" "lake" {
  name        = var.glue_database_name
  description = "tracklake events, one table per event type"
}

resource "aws_glue_catalog_table" "events" {
  for_each      = var.event_types
  name          = each.key
  database_name = aws_glue_catalog_database.lake.name
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "EXTERNAL"                    = "TRUE"
    "classification"              = local.json_tables ? "json" : "parquet"
    "projection.enabled"          = "true"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd"
    "projection.dt.range"         = "2024-01-01,NOW"
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "DAYS"
    "projection.hr.type"          = "integer"
    "projection.hr.range"         = "0,23"
    "projection.hr.digits"        = "2"
    "storage.location.template"   = "${local.lake_root}${each.key}/dt=$${dt}/hr=$${hr}/"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }
  partition_keys {
    name = "hr"
    type = "string"
  }

  storage_descriptor {
    location      = "${local.lake_root}${each.key}/"
    input_format  = local.json_tables ? "org.apache.hadoop.mapred.TextInputFormat" : "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = local.json_tables ? "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat" : "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = local.json_tables ? "org.apache.hive.hcatalog.data.JsonSerDe" : "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      # received_at is RFC 3339 with milliseconds ("2026-11-26T06:00:00.123Z").
      parameters = local.json_tables ? { "timestamp.formats" = "yyyy-MM-dd'T'HH:mm:ss.SSSX,yyyy-MM-dd'T'HH:mm:ssX" } : {}
    }

    dynamic "columns" {
      for_each = local.table_columns[each.key]
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
