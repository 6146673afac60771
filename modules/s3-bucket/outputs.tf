output "bucket_id" {
  description = "Name of the bucket, available once its policy, access block, ownership and encryption are in place."
  value       = aws_s3_bucket.this.bucket

  # Consumers (log delivery, writers) should not race the bucket's guard rails.
  depends_on = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_ownership_controls.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

output "bucket_arn" {
  description = "ARN of the bucket (known at plan time)."
  value       = local.bucket_arn

  # Derived from the name, so keep consumers ordered after the bucket exists.
  depends_on = [aws_s3_bucket.this]
}

output "bucket_name" {
  description = "Name of the bucket (known at plan time)."
  value       = var.name
}

output "bucket_regional_domain_name" {
  description = "Region-specific domain name of the bucket."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "object_lock" {
  description = "Object Lock default retention as configured on the bucket ({ mode, days }), or null without Object Lock."
  value = length(aws_s3_bucket_object_lock_configuration.this) == 0 ? null : {
    mode = one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).mode
    days = one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).days
  }
}
