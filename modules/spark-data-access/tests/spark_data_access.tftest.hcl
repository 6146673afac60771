mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  landing_bucket_name = "taxlake-test-landing-123456789012"
  validated_prefix    = "validated/"
  curated_prefix      = "curated"
  curated_bucket_name = "taxlake-test-curated-123456789012"
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
    condition     = output.grant.curated_bucket_name == var.curated_bucket_name && output.grant.curated_prefix == "curated"
    error_message = "The grant must carry the curated location it allows."
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

    # bucket arn for name
    landing_bucket_name = "arn:aws:s3:::taxlake-test-landing-123456789012"
  }

  expect_failures = [
    var.validated_prefix,
    var.curated_prefix,
    var.landing_bucket_name,
  ]
}
