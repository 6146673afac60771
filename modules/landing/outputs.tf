output "bucket_id" {
  description = "Name of the landing bucket."
  value       = module.bucket.bucket_id
}

output "bucket_arn" {
  description = "ARN of the landing bucket."
  value       = module.bucket.bucket_arn
}

output "event_rule_name" {
  description = "Name of the EventBridge rule matching objects created under the incoming prefix."
  value       = aws_cloudwatch_event_rule.this.name
}

output "event_rule_arn" {
  description = "ARN of the EventBridge rule matching objects created under the incoming prefix."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "prefixes" {
  description = "The bucket's key prefixes, each ending in \"/\": { incoming, validated, quarantine }."
  value       = var.prefixes
}

output "lifecycle_rules" {
  description = "Lifecycle rules applied to the landing bucket, keyed by rule id (as passed to the s3-bucket module)."
  value       = local.lifecycle_rules
}
