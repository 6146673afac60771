resource "aws_lambda_layer_version" "this" {
  layer_name               = "${var.name_prefix}-${var.layer_name}"
  description              = var.description
  filename                 = var.filename
  compatible_runtimes      = var.compatible_runtimes
  compatible_architectures = var.compatible_architectures

  # Content hash, not mtime: a byte-identical rebuild publishes no new version.
  source_code_hash = filebase64sha256(var.filename)
}
