data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  use_kms       = var.kms_key_arn != null
  sse_algorithm = local.use_kms ? "aws:kms" : "AES256"
  # Derived from the name rather than read from the bucket so the policy is known at plan time.
  bucket_arn  = "arn:${data.aws_partition.current.partition}:s3:::${var.name}"
  object_arns = "${local.bucket_arn}/*"

  # The encryption headers a PutObject may carry, each with the one value it may have; the
  # policy's deny statements are named by these keys (map order is the statement order).
  encryption_headers = merge(
    { DenyWrongEncryptionHeader = { header = "s3:x-amz-server-side-encryption", expected = local.sse_algorithm } },
    local.use_kms ? { DenyWrongKmsKey = { header = "s3:x-amz-server-side-encryption-aws-kms-key-id", expected = var.kms_key_arn } } : {}
  )

  # One lifecycle rule per map entry; empty lists drive the optional blocks.
  lifecycle_rules = {
    for id, rule in var.lifecycle_rules : id => {
      prefix                          = rule.prefix
      transitions                     = rule.transitions
      expiration                      = rule.expiration_days == null ? [] : [rule.expiration_days]
      noncurrent_expiration           = rule.noncurrent_expiration_days == null ? [] : [rule.noncurrent_expiration_days]
      abort_incomplete_multipart_days = rule.abort_incomplete_multipart_days
    }
  }
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:The platform is single-region (ap-southeast-2) until the DR design adds a second-region bucket and key; versioning, the replication prerequisite, is on by default.
  bucket        = var.name
  force_destroy = var.force_destroy
  # Only settable at creation in provider 5.x: turning it on later replaces the bucket.
  object_lock_enabled = var.object_lock != null
  tags                = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs off: every object belongs to the bucket owner, so access is decided by policy alone.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.sse_algorithm
      kms_master_key_id = var.kms_key_arn
    }
    # Bucket keys cut KMS request costs by ~99%; meaningless for SSE-S3.
    bucket_key_enabled = local.use_kms
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}

# Default retention: every new object version is locked on write, so writers need no
# s3:PutObjectRetention (and cannot shorten it).
resource "aws_s3_bucket_object_lock_configuration" "this" {
  count = var.object_lock == null ? 0 : 1

  bucket = aws_s3_bucket.this.id

  rule {
    default_retention {
      mode = var.object_lock.mode
      days = var.object_lock.days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  #checkov:skip=CKV_AWS_300:Every rule renders a static abort_incomplete_multipart_upload block (default 7 days); checkov cannot expand the dynamic rule block that holds it.
  count = length(local.lifecycle_rules) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this.id

  dynamic "rule" {
    for_each = local.lifecycle_rules

    content {
      id     = rule.key
      status = "Enabled"

      filter {
        prefix = rule.value.prefix
      }

      dynamic "transition" {
        for_each = rule.value.transitions

        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }

      dynamic "expiration" {
        for_each = rule.value.expiration

        content {
          days = expiration.value
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = rule.value.noncurrent_expiration

        content {
          noncurrent_days = noncurrent_version_expiration.value
        }
      }

      # Always on: abandoned multipart parts are invisible but billed.
      abort_incomplete_multipart_upload {
        days_after_initiation = rule.value.abort_incomplete_multipart_days
      }
    }
  }

  # Noncurrent-version rules are rejected until versioning is configured.
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.logging == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.logging.target_bucket
  target_prefix = var.logging.target_prefix
}

resource "aws_s3_bucket_notification" "this" {
  count = var.eventbridge ? 1 : 0

  bucket      = aws_s3_bucket.this.id
  eventbridge = true
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = var.extra_policy_documents

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, local.object_arns]

    # {"AWS": "*"} means every principal, like "*"; the object form also keeps moto's
    # bucket-logging permission check (which assumes a Principal object) working.
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # Deny a PutObject whose encryption header is present and wrong (the algorithm; with KMS
  # also the key): StringNotEquals is true for an absent key, so the Null=false test keeps
  # requests without SSE headers (which get the default encryption, e.g. CopyObject) working.
  dynamic "statement" {
    for_each = local.encryption_headers

    content {
      sid       = statement.key
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = [local.object_arns]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "StringNotEquals"
        variable = statement.value.header
        values   = [statement.value.expected]
      }

      condition {
        test     = "Null"
        variable = statement.value.header
        values   = ["false"]
      }
    }
  }

  # Server access logs are delivered by the logging service principal, not by ACL grants
  # (ACLs are disabled by BucketOwnerEnforced).
  dynamic "statement" {
    for_each = var.allow_access_log_delivery ? [data.aws_caller_identity.current.account_id] : []

    content {
      sid       = "AllowServerAccessLogDelivery"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = [local.object_arns]

      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [statement.value]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  # S3 evaluates a new policy against the public access block; create the block first.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
