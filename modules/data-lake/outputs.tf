output "curated_bucket_name" {
  description = "Name of the curated-zone bucket (parquet under curated/<kind>/)."
  value       = module.bucket["curated"].bucket_id
}

output "curated_bucket_arn" {
  description = "ARN of the curated-zone bucket."
  value       = module.bucket["curated"].bucket_arn
}

output "curated_prefix" {
  description = "Key prefix (no trailing slash) under which curated tables live: <prefix>/<kind>/."
  value       = local.curated_root
}

output "analytics_bucket_name" {
  description = "Name of the analytics-zone bucket (quality reports, fraud flags, failure reports)."
  value       = module.bucket["analytics"].bucket_id
}

output "analytics_bucket_arn" {
  description = "ARN of the analytics-zone bucket."
  value       = module.bucket["analytics"].bucket_arn
}

output "database_name" {
  description = "Name of the Glue catalog database of the lake."
  value       = aws_glue_catalog_database.this.name
}

output "database_arn" {
  description = "ARN of the Glue catalog database of the lake."
  value       = aws_glue_catalog_database.this.arn
}

output "table_names" {
  description = "Glue table names keyed by lodgement kind (lodgement, bas, payer-report)."
  value       = { for kind, t in aws_glue_catalog_table.this : kind => t.name }
}

output "table_arns" {
  description = "Glue table ARNs keyed by lodgement kind."
  value       = { for kind, t in aws_glue_catalog_table.this : kind => t.arn }
}

output "analytics_table_names" {
  description = "Glue table names of the analytics zone, keyed by table (quality_metrics, fraud_flags)."
  value       = { for name, t in aws_glue_catalog_table.analytics : name => t.name }
}

output "analytics_table_arns" {
  description = "Glue table ARNs of the analytics zone, keyed by table."
  value       = { for name, t in aws_glue_catalog_table.analytics : name => t.arn }
}

output "lifecycle_rules" {
  description = "Lifecycle rules per zone (curated, analytics), keyed by rule id, as passed to the s3-bucket module."
  value       = { for zone, b in local.buckets : zone => b.lifecycle_rules }
}

output "current_table_names" {
  description = "Catalog names of the current tables, by kind (current_<kind>)."
  value       = { for kind, t in aws_glue_catalog_table.current : kind => t.name }
}

output "current_table_locations" {
  description = "S3 locations of the current tables, by kind."
  value       = { for kind, t in aws_glue_catalog_table.current : kind => one(t.storage_descriptor).location }
}

output "raw_bucket_name" {
  description = "Name of the raw-zone bucket (landed files as landed, Object Lock, under raw/)."
  value       = module.raw.bucket_id
}

output "raw_bucket_arn" {
  description = "ARN of the raw-zone bucket."
  value       = module.raw.bucket_arn
}

output "raw_prefix" {
  description = "Key prefix (no trailing slash) under which the raw zone keeps landed files: <prefix>/<path under incoming/>."
  value       = local.raw_root
}

output "raw_object_lock" {
  description = "Default retention of the raw bucket: mode and days every new object version is locked for."
  value       = module.raw.object_lock
}

output "raw_lifecycle_rules" {
  description = "Lifecycle rules of the raw bucket, keyed by rule id, as passed to the s3-bucket module."
  value       = local.raw_lifecycle_rules
}

output "lake_formation_locations" {
  description = "ARNs of the buckets registered with Lake Formation, by zone ({} when lake_formation.enabled is false)."
  value       = { for zone, r in aws_lakeformation_resource.this : zone => r.arn }
}

output "lake_formation_role_arn" {
  description = "ARN of the role Lake Formation reaches the locations with (null when disabled)."
  value       = one(module.lake_formation_role[*].role.arn)
}
