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

# The curate data (modules/spark-data-access, the same grant as the Glue job's) plus what
# the engine needs: the job files, the job logs and the key (no TempDir: Spark on EMR
# stages nothing in S3).
data "aws_iam_policy_document" "this" {
  source_policy_documents = [var.data_access.policy_json]

  statement {
    sid       = "ReadJobArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.artifacts_arn}/glue/*"]
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
