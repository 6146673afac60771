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
    condition     = output.layer_arn == "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:3" && output.layer_version == "3"
    error_message = "layer_arn must be the versioned ARN."
  }
}

run "rejects_missing_zip" {
  command = plan

  variables {
    filename = "tests/fixtures/missing.zip"
  }

  expect_failures = [var.filename]
}

run "rejects_unknown_architecture" {
  command = plan

  variables {
    compatible_architectures = ["x86"]
  }

  expect_failures = [var.compatible_architectures]
}
