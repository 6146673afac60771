output "bucket" {
  description = "The bucket: { name, arn, object_lock } (object_lock: the default retention as configured, { mode, days }, or null). Given once the bucket's policy, access block, ownership and encryption are in place, so consumers (log delivery, writers) don't race its guard rails."
  value = {
    name = aws_s3_bucket.this.bucket
    arn  = local.bucket_arn
    object_lock = length(aws_s3_bucket_object_lock_configuration.this) == 0 ? null : {
      mode = one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).mode
      days = one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).days
    }
  }

  depends_on = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_ownership_controls.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}
