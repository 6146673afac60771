data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EmrServerlessAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }

    # Confused-deputy guard: only EMR Serverless acting for this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${local.name}-emr"
  description        = "Job execution role of the ${local.name} EMR Serverless application."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# The Glue job role's data access (no TempDir: Spark on EMR stages nothing in S3), plus
# the job logs.
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
    sid       = "ReadJobArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.artifacts_arn}/glue/*"]
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

  statement {
    sid       = "WriteJobLogs"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${local.artifacts_arn}/${local.logs_prefix}*"]
  }

  statement {
    sid       = "UseKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${local.name}-emr-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
