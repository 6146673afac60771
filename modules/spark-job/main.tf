data "aws_partition" "current" {}

locals {
  landing_arn   = "arn:${data.aws_partition.current.partition}:s3:::${var.landing_bucket_name}"
  curated_arn   = "arn:${data.aws_partition.current.partition}:s3:::${var.curated_bucket_name}"
  artifacts_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.artifacts_bucket_name}"
}

# The data a curate run touches, whichever engine runs it (Glue or EMR Serverless): read
# validated lodgements, write the curated tables. Each engine module adds what it needs to
# run at all (job files, temp dir, logs, key).
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadValidated"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.landing_arn}/${var.validated_prefix}*"]
  }

  statement {
    sid       = "ListValidated"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.landing_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.validated_prefix}*"]
    }
  }

  statement {
    sid       = "WriteCurated"
    effect    = "Allow"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${local.curated_arn}/${var.curated_prefix}/*"]
  }

  statement {
    sid       = "ListCurated"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.curated_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.curated_prefix}/*"]
    }
  }
}
