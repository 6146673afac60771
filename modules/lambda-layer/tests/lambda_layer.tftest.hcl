mock_provider "aws" {
  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:3"
      layer_arn = "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime"
      version   = "3"
    }
  }
}

variables {
  name_prefix = "taxlake-test"
  layer_name  = "runtime"
  filename    = "tests/fixtures/layer.zip"
  description = "Runtime dependencies for tests"
}

run "layer_from_zip" {
  command = plan

  assert {
    condition     = aws_lambda_layer_version.this.layer_name == "taxlake-test-runtime"
    error_message = "Layer name must be <name_prefix>-<layer_name>."
  }

  assert {
    condition     = aws_lambda_layer_version.this.source_code_hash == filebase64sha256("tests/fixtures/layer.zip")
    error_message = "source_code_hash must be the zip's content hash so identical rebuilds give no diff."
  }

  assert {
    condition     = aws_lambda_layer_version.this.compatible_runtimes == toset(["python3.12"]) && aws_lambda_layer_version.this.compatible_architectures == toset(["x86_64"])
    error_message = "Defaults must be python3.12 on x86_64."
  }
}

run "outputs_are_versioned" {
  command = apply

  assert {
    condition     = output.layer.arn == "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:3" && output.layer.version == "3"
    error_message = "layer_arn must be the versioned ARN."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # missing zip
    filename = "tests/fixtures/missing.zip"

    # unknown architecture
    compatible_architectures = ["x86"]
  }

  expect_failures = [
    var.filename,
    var.compatible_architectures,
  ]
}

run "large_layers_are_staged_in_s3" {
  command = plan

  variables {
    s3_bucket   = "taxlake-test-artifacts-123456789012"
    kms_key_arn = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = aws_s3_object.this[0].key == "layers/taxlake-test-runtime/${filesha256("tests/fixtures/layer.zip")}.zip" && aws_s3_object.this[0].kms_key_id == var.kms_key_arn
    error_message = "The zip must be staged under a content-addressed key, encrypted with the key."
  }

  assert {
    condition     = aws_lambda_layer_version.this.s3_key == aws_s3_object.this[0].key && aws_lambda_layer_version.this.filename == null
    error_message = "The layer must be published from the staged object, not uploaded directly."
  }
}

run "small_layers_upload_directly" {
  command = plan

  assert {
    condition     = length(aws_s3_object.this) == 0 && aws_lambda_layer_version.this.filename == "tests/fixtures/layer.zip"
    error_message = "Without s3_bucket the zip is uploaded directly."
  }
}
