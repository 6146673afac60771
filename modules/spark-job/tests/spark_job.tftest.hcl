mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  kms_key_arn           = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  artifacts_bucket_name = "taxlake-test-artifacts-123456789012"
  landing_bucket_name   = "taxlake-test-landing-123456789012"
  validated_prefix      = "validated/"
  curated_prefix        = "curated"
  curated_bucket_name   = "taxlake-test-curated-123456789012"
}

run "reads_validated_and_writes_curated_only" {
  command = plan

  assert {
    condition = jsonencode(output.statements) == jsonencode([
      { sid = "ReadValidated", actions = ["s3:GetObject", "s3:GetObjectVersion"], resources = ["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"], conditions = [] },
      { sid = "ListValidated", actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::taxlake-test-landing-123456789012"], conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["validated/*"] }] },
      { sid = "WriteCurated", actions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], resources = ["arn:aws:s3:::taxlake-test-curated-123456789012/curated/*"], conditions = [] },
      { sid = "ListCurated", actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::taxlake-test-curated-123456789012"], conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["curated/*"] }] },
    ])
    error_message = "A curate run may read validated/ and write curated/ only, each listed under its own prefix."
  }

  assert {
    condition = (
      output.job.curated == { bucket_name = var.curated_bucket_name, arn = "arn:aws:s3:::taxlake-test-curated-123456789012", prefix = "curated" } &&
      output.job.artifacts == { name = var.artifacts_bucket_name, arn = "arn:aws:s3:::taxlake-test-artifacts-123456789012" } &&
      output.job.script == "s3://taxlake-test-artifacts-123456789012/glue/jobs/curate.py" &&
      output.job.library == "s3://taxlake-test-artifacts-123456789012/glue/taxlake.zip" &&
      output.job.kms_key_arn == var.kms_key_arn
    )
    error_message = "The job must carry the curated location it grants, the artifacts bucket, the default script and library URIs and the key."
  }
}

run "prefixes_follow_the_inputs" {
  command = plan

  variables {
    validated_prefix = "checked/"
    curated_prefix   = "lake"
  }

  assert {
    condition     = flatten([for s in output.statements : s.resources if s.sid == "ReadValidated" || s.sid == "WriteCurated"]) == ["arn:aws:s3:::taxlake-test-landing-123456789012/checked/*", "arn:aws:s3:::taxlake-test-curated-123456789012/lake/*"]
    error_message = "The grant must follow the prefixes it is given."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # prefix without trailing slash
    validated_prefix = "validated"

    # curated prefix with slash
    curated_prefix = "curated/"

    # script outside the glue/ prefix the roles may read
    script_key = "jobs/curate.py"

    # library not a zip
    library_key = "glue/taxlake.tar.gz"
  }

  expect_failures = [
    var.validated_prefix,
    var.curated_prefix,
    var.script_key,
    var.library_key,
  ]
}
