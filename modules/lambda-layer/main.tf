locals {
  # Content-addressed key: a new build is a new object, an identical one the same.
  s3_key = var.s3_bucket == null ? null : "layers/${var.name_prefix}-${var.layer_name}/${filesha256(var.filename)}.zip"
}

# Lambda takes at most 50 MB zipped in a direct upload; through S3 a layer may be as
# large as the 250 MB unzipped limit allows.
resource "aws_s3_object" "this" {
  count = var.s3_bucket == null ? 0 : 1

  bucket                 = var.s3_bucket
  key                    = local.s3_key
  source                 = var.filename
  source_hash            = filemd5(var.filename)
  content_type           = "application/zip"
  server_side_encryption = var.kms_key_arn == null ? null : "aws:kms"
  kms_key_id             = var.kms_key_arn
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = "${var.name_prefix}-${var.layer_name}"
  description              = var.description
  filename                 = var.s3_bucket == null ? var.filename : null
  s3_bucket                = var.s3_bucket == null ? null : aws_s3_object.this[0].bucket
  s3_key                   = var.s3_bucket == null ? null : aws_s3_object.this[0].key
  compatible_runtimes      = var.compatible_runtimes
  compatible_architectures = var.compatible_architectures

  source_code_hash = filebase64sha256(var.filename)
}
