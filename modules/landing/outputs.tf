output "bucket" {
  description = "The landing bucket: { name, arn, prefixes }, prefixes being its key prefixes, each ending in \"/\": { incoming, validated, quarantine }."
  value = {
    name     = module.bucket.bucket.name
    arn      = module.bucket.bucket.arn
    prefixes = var.prefixes
  }
}

output "event_rule" {
  description = "The EventBridge rule matching objects created under the incoming prefix: { name, arn }."
  value = {
    name = aws_cloudwatch_event_rule.this.name
    arn  = aws_cloudwatch_event_rule.this.arn
  }
}

output "lifecycle_rules" {
  description = "Lifecycle rules applied to the landing bucket, keyed by rule id (as passed to the s3-bucket module)."
  value       = local.lifecycle_rules
}
