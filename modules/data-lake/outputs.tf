output "buckets" {
  description = "The lake's buckets by zone: curated { name, arn, prefix } (tables under <prefix>/<kind>/), analytics { name, arn } (quality reports, fraud flags, failure reports), raw { name, arn, prefix, object_lock } (landed files as landed under <prefix>/, locked by the default retention { mode, days }); prefixes have no trailing slash."
  value = {
    curated = {
      name   = module.bucket["curated"].bucket.name
      arn    = module.bucket["curated"].bucket.arn
      prefix = local.curated_root
    }
    analytics = {
      name = module.bucket["analytics"].bucket.name
      arn  = module.bucket["analytics"].bucket.arn
    }
    raw = {
      name        = module.raw.bucket.name
      arn         = module.raw.bucket.arn
      prefix      = local.raw_root
      object_lock = module.raw.bucket.object_lock
    }
  }
}

output "catalog" {
  description = "The lake's Glue catalog: database { name, arn }; tables (curated, by lodgement kind) and analytics_tables (by table) as { name, arn }; current_tables (by kind) as { name, location }."
  value = {
    database         = { name = aws_glue_catalog_database.this.name, arn = aws_glue_catalog_database.this.arn }
    tables           = { for kind, t in aws_glue_catalog_table.this : kind => { name = t.name, arn = t.arn } }
    analytics_tables = { for name, t in aws_glue_catalog_table.analytics : name => { name = t.name, arn = t.arn } }
    current_tables   = { for kind, t in aws_glue_catalog_table.current : kind => { name = t.name, location = one(t.storage_descriptor).location } }
  }
}

output "lifecycle_rules" {
  description = "Lifecycle rules per zone (curated, analytics, raw), keyed by rule id, as passed to the s3-bucket module."
  value       = merge({ for zone, b in local.buckets : zone => b.lifecycle_rules }, { raw = local.raw_lifecycle_rules })
}

output "lake_formation" {
  description = "Lake Formation registration: locations (bucket ARNs by zone) and role_arn, the role it reaches them with ({} and null when lake_formation.enabled is false)."
  value = {
    locations = { for zone, r in aws_lakeformation_resource.this : zone => r.arn }
    role_arn  = one(module.lake_formation_role[*].role.arn)
  }
}
