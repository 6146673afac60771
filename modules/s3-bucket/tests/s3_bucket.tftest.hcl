mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::taxlake-test-bucket"
    }
  }
}

variables {
  name        = "taxlake-test-bucket"
  kms_key_arn = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  tags        = { owner = "tests" }
}

run "kms_bucket_is_hardened" {
  command = apply

  assert {
    condition     = aws_s3_bucket.this.bucket == "taxlake-test-bucket" && aws_s3_bucket.this.force_destroy == false
    error_message = "Bucket must take the given name and keep objects on destroy by default."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access block settings must be true."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled with BucketOwnerEnforced."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "A bucket with kms_key_arn must default to SSE-KMS."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    error_message = "SSE-KMS must use the given key."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    error_message = "S3 bucket keys must be on with SSE-KMS."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "Versioning must be enabled by default."
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0 && length(aws_s3_bucket_logging.this) == 0 && length(aws_s3_bucket_notification.this) == 0
    error_message = "Lifecycle, logging and notifications are opt-in."
  }

  assert {
    condition     = aws_s3_bucket.this.object_lock_enabled == false && length(aws_s3_bucket_object_lock_configuration.this) == 0
    error_message = "Object Lock is opt-in: without object_lock the bucket is created unlocked."
  }

  assert {
    condition     = output.bucket.object_lock == null
    error_message = "output.bucket.object_lock must be null without Object Lock."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.sid] == ["DenyInsecureTransport", "DenyWrongEncryptionHeader", "DenyWrongKmsKey"]
    error_message = "A KMS bucket policy holds exactly the TLS, SSE-header and KMS-key denies."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[0].effect == "Deny" &&
      data.aws_iam_policy_document.this.statement[0].resources == toset(["arn:aws:s3:::taxlake-test-bucket", "arn:aws:s3:::taxlake-test-bucket/*"]) &&
      jsonencode(data.aws_iam_policy_document.this.statement[0].condition) == jsonencode([{ test = "Bool", values = ["false"], variable = "aws:SecureTransport" }])
    )
    error_message = "Non-TLS requests to the bucket and its objects must be denied."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[1].actions == toset(["s3:PutObject"]) &&
      contains([for c in data.aws_iam_policy_document.this.statement[1].condition : jsonencode(c)], jsonencode({ test = "StringNotEquals", values = ["aws:kms"], variable = "s3:x-amz-server-side-encryption" })) &&
      contains([for c in data.aws_iam_policy_document.this.statement[1].condition : jsonencode(c)], jsonencode({ test = "Null", values = ["false"], variable = "s3:x-amz-server-side-encryption" }))
    )
    error_message = "PutObject with an SSE header other than aws:kms must be denied, and only when the header is present."
  }

  assert {
    condition = (
      contains([for c in data.aws_iam_policy_document.this.statement[2].condition : jsonencode(c)], jsonencode({ test = "StringNotEquals", values = [var.kms_key_arn], variable = "s3:x-amz-server-side-encryption-aws-kms-key-id" })) &&
      contains([for c in data.aws_iam_policy_document.this.statement[2].condition : jsonencode(c)], jsonencode({ test = "Null", values = ["false"], variable = "s3:x-amz-server-side-encryption-aws-kms-key-id" }))
    )
    error_message = "PutObject naming another KMS key must be denied, and only when the header is present."
  }

  assert {
    condition     = aws_s3_bucket_policy.this.bucket == aws_s3_bucket.this.id
    error_message = "The policy must be attached to the bucket."
  }

  assert {
    condition     = output.bucket.arn == "arn:aws:s3:::taxlake-test-bucket" && output.bucket.name == "taxlake-test-bucket"
    error_message = "Outputs must describe the bucket."
  }
}

run "access_log_target_uses_sse_s3" {
  command = apply

  variables {
    name                      = "taxlake-test-access-logs"
    kms_key_arn               = null
    versioning                = false
    allow_access_log_delivery = true
    force_destroy             = true
    lifecycle_rules = {
      expire-logs = { expiration_days = 30 }
    }
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "kms_key_arn = null must select SSE-S3."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == false
    error_message = "Bucket keys only apply to SSE-KMS."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Suspended"
    error_message = "versioning = false must suspend versioning."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.sid] == ["DenyInsecureTransport", "DenyWrongEncryptionHeader", "AllowServerAccessLogDelivery"]
    error_message = "An SSE-S3 log bucket has no KMS-key deny and allows log delivery."
  }

  assert {
    condition     = contains([for c in data.aws_iam_policy_document.this.statement[1].condition : c.values[0] if c.test == "StringNotEquals"], "AES256")
    error_message = "The SSE-header deny must expect AES256 on an SSE-S3 bucket."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[2].effect == "Allow" &&
      data.aws_iam_policy_document.this.statement[2].actions == toset(["s3:PutObject"]) &&
      one(data.aws_iam_policy_document.this.statement[2].principals).identifiers == toset(["logging.s3.amazonaws.com"]) &&
      jsonencode(data.aws_iam_policy_document.this.statement[2].condition) == jsonencode([{ test = "StringEquals", values = ["123456789012"], variable = "aws:SourceAccount" }])
    )
    error_message = "Log delivery must be limited to s3:PutObject by logging.s3.amazonaws.com for this account."
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this[0].rule).id == "expire-logs" && one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).expiration).days == 30
    error_message = "The expiration rule must be rendered."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == true
    error_message = "force_destroy must pass through."
  }
}

run "lifecycle_logging_and_eventbridge" {
  command = apply

  variables {
    logging     = { target_bucket = "taxlake-test-access-logs", target_prefix = "s3/taxlake-test-bucket/" }
    eventbridge = true
    lifecycle_rules = {
      incoming = {
        prefix                     = "incoming/"
        transitions                = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
        noncurrent_expiration_days = 90
      }
      archive = {
        prefix                          = "archive/"
        transitions                     = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 365, storage_class = "DEEP_ARCHIVE" }]
        abort_incomplete_multipart_days = 3
      }
    }
  }

  assert {
    condition     = toset(aws_s3_bucket_lifecycle_configuration.this[0].rule[*].id) == toset(["archive", "incoming"])
    error_message = "One lifecycle rule per map entry, keyed by rule id."
  }

  assert {
    condition = alltrue([for r in aws_s3_bucket_lifecycle_configuration.this[0].rule : (
      r.status == "Enabled" && one(r.filter).prefix == "incoming/" &&
      jsonencode([for t in r.transition : { days = t.days, storage_class = t.storage_class }]) == jsonencode([{ days = 0, storage_class = "INTELLIGENT_TIERING" }]) &&
      jsonencode(r.noncurrent_version_expiration[*].noncurrent_days) == jsonencode([90]) &&
      jsonencode(r.abort_incomplete_multipart_upload[*].days_after_initiation) == jsonencode([7]) &&
      length(r.expiration) == 0
    ) if r.id == "incoming"])
    error_message = "The incoming rule must transition to INTELLIGENT_TIERING, expire noncurrent versions and abort multipart uploads after the 7-day default."
  }

  assert {
    condition = alltrue([for r in aws_s3_bucket_lifecycle_configuration.this[0].rule : (
      one(r.filter).prefix == "archive/" && length(r.transition) == 2 && length(r.noncurrent_version_expiration) == 0 &&
      jsonencode(r.abort_incomplete_multipart_upload[*].days_after_initiation) == jsonencode([3])
    ) if r.id == "archive"])
    error_message = "The archive rule must keep both transitions and its own multipart-abort period."
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "taxlake-test-access-logs" && aws_s3_bucket_logging.this[0].target_prefix == "s3/taxlake-test-bucket/"
    error_message = "Access logging must target the given bucket and prefix."
  }

  assert {
    condition     = aws_s3_bucket_notification.this[0].eventbridge == true
    error_message = "eventbridge = true must turn on EventBridge notifications."
  }
}

run "object_lock_sets_default_retention" {
  command = apply

  variables {
    object_lock = { mode = "COMPLIANCE", days = 2555 }
  }

  assert {
    condition     = aws_s3_bucket.this.object_lock_enabled == true
    error_message = "object_lock must create the bucket with Object Lock enabled (only possible at creation)."
  }

  assert {
    condition = (
      length(aws_s3_bucket_object_lock_configuration.this) == 1 &&
      aws_s3_bucket_object_lock_configuration.this[0].bucket == aws_s3_bucket.this.id &&
      one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).mode == "COMPLIANCE" &&
      one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).days == 2555 &&
      one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).years == null
    )
    error_message = "The default retention must be the given mode for the given days (not years)."
  }

  assert {
    condition     = output.bucket.object_lock == { mode = "COMPLIANCE", days = 2555 }
    error_message = "output.bucket.object_lock must report the configured default retention."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "A locked bucket stays versioned."
  }
}

run "governance_lock_may_be_force_destroyed" {
  command = plan

  variables {
    object_lock   = { mode = "GOVERNANCE", days = 1 }
    force_destroy = true
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy && one(one(aws_s3_bucket_object_lock_configuration.this[0].rule).default_retention).mode == "GOVERNANCE"
    error_message = "GOVERNANCE with force_destroy is allowed: the provider deletes with BypassGovernanceRetention."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # unknown lock mode
    object_lock = { mode = "LEGAL_HOLD", days = 30 }

    # invalid bucket names
    name = "Taxlake_Bucket"

    # early standard ia transition
    lifecycle_rules = {
      early = { transitions = [{ days = 7, storage_class = "STANDARD_IA" }] }
    }

    # key alias instead of arn
    kms_key_arn = "alias/taxlake-test"

    # log bucket arn instead of its name
    logging = { target_bucket = "arn:aws:s3:::taxlake-test-access-logs", target_prefix = "s3/taxlake-test-bucket/" }
  }

  expect_failures = [
    var.object_lock,
    var.name,
    var.lifecycle_rules,
    var.kms_key_arn,
    var.logging,
  ]
}

run "rejects_invalid_inputs_2" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # lock without whole days
    object_lock = { mode = "GOVERNANCE", days = 0.5 }

    # ip like bucket name
    name = "192.168.10.1"

    # unknown storage class
    lifecycle_rules = {
      bad = { transitions = [{ days = 0, storage_class = "REDUCED_REDUNDANCY" }] }
    }
  }

  expect_failures = [
    var.object_lock,
    var.name,
    var.lifecycle_rules,
  ]
}

run "rejects_invalid_inputs_3" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # lock of zero days
    object_lock = { mode = "GOVERNANCE", days = 0 }

    # reserved suffix
    name = "taxlake-test-s3alias"

    # kms on access log target (the file's kms_key_arn: this rule reads it)
    allow_access_log_delivery = true
  }

  expect_failures = [
    var.object_lock,
    var.name,
    var.allow_access_log_delivery,
  ]
}

run "rejects_lock_without_versioning" {
  command = plan

  variables {
    object_lock = { mode = "GOVERNANCE", days = 1 }
    versioning  = false
  }

  expect_failures = [var.object_lock]
}

run "rejects_force_destroy_of_a_compliance_bucket" {
  command = plan

  variables {
    object_lock   = { mode = "COMPLIANCE", days = 1 }
    force_destroy = true
  }

  expect_failures = [var.object_lock]
}
