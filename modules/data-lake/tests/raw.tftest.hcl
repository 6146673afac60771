# The raw zone: one Object Lock bucket keeping landed files as landed, with its own
# retention and lifecycle (variable raw), beside the curated and analytics zones.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix       = "taxlake-test"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = "taxlake-test-access-logs-123456789012"
  tags              = { owner = "tests" }
}

run "raw_bucket_is_locked_for_seven_years_by_default" {
  command = apply

  assert {
    condition = (
      output.raw_bucket_name == "taxlake-test-raw-123456789012" &&
      output.raw_bucket_arn == "arn:aws:s3:::taxlake-test-raw-123456789012" &&
      output.raw_prefix == "raw"
    )
    error_message = "The raw bucket must be <name_prefix>-raw-<account>, files under raw/."
  }

  assert {
    condition     = output.raw_object_lock == { mode = "COMPLIANCE", days = 2555 }
    error_message = "By default every raw object version is locked in COMPLIANCE mode for 2555 days (7 years)."
  }

  assert {
    condition     = output.raw_force_destroy == false
    error_message = "Raw files must survive a destroy by default."
  }

  assert {
    # jsonencode compares values: the module's typed lists and nulls differ in type from literals
    condition = jsonencode(output.raw_lifecycle_rules) == jsonencode({
      raw-tiering = {
        transitions                     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
        expiration_days                 = null
        noncurrent_expiration_days      = null
        abort_incomplete_multipart_days = 7
      }
    })
    error_message = "By default raw files tier at once and are never expired by lifecycle."
  }


}

run "raw_settings_reach_the_bucket" {
  command = plan

  variables {
    raw = {
      object_lock_mode           = "GOVERNANCE"
      retention_days             = 30
      intelligent_tiering_days   = 0
      deep_archive_days          = 180
      expiration_days            = 400
      noncurrent_expiration_days = 1
      force_destroy              = true
    }
  }

  assert {
    condition     = output.raw_object_lock == { mode = "GOVERNANCE", days = 30 }
    error_message = "raw.object_lock_mode and raw.retention_days must reach the bucket's default retention."
  }

  assert {
    condition = output.raw_lifecycle_rules == {
      raw-tiering = {
        transitions                     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }, { days = 180, storage_class = "DEEP_ARCHIVE" }]
        expiration_days                 = 400
        noncurrent_expiration_days      = 1
        abort_incomplete_multipart_days = 7
      }
    }
    error_message = "Tiering, Deep Archive, expiry and noncurrent expiry must reach the raw lifecycle rule."
  }

  assert {
    condition     = output.raw_force_destroy && !output.force_destroy
    error_message = "raw.force_destroy is the raw bucket's own: settings.force_destroy stays false."
  }
}

run "rejects_force_destroy_of_compliance_locked_files" {
  command = plan

  variables {
    raw = { force_destroy = true }
  }

  expect_failures = [var.raw]
}

run "rejects_unknown_lock_mode" {
  command = plan

  variables {
    raw = { object_lock_mode = "NONE" }
  }

  expect_failures = [var.raw]
}

run "rejects_fractional_retention" {
  command = plan

  variables {
    raw = { retention_days = 1.5 }
  }

  expect_failures = [var.raw]
}

run "rejects_expiry_before_retention_ends" {
  command = plan

  variables {
    raw = { retention_days = 2555, expiration_days = 365 }
  }

  expect_failures = [var.raw]
}

run "rejects_deep_archive_before_tiering" {
  command = plan

  variables {
    raw = { intelligent_tiering_days = 30, deep_archive_days = 30 }
  }

  expect_failures = [var.raw]
}

run "rejects_zero_day_noncurrent_expiry" {
  command = plan

  variables {
    raw = { noncurrent_expiration_days = 0 }
  }

  expect_failures = [var.raw]
}
