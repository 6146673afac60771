# What every job of the module needs to run at all: its script and library, Glue's
# TempDir, the key, its log groups and metrics. Each job's policy adds its data.
data "aws_iam_policy_document" "runtime" {
  statement {
    sid       = "ReadJobArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.job.artifacts.arn}/glue/*"]
  }

  statement {
    sid       = "UseTempDir"
    effect    = "Allow"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${var.job.artifacts.arn}/${local.temp_prefix}*"]
  }

  # SSE-KMS objects, CSE-KMS bookmarks and KMS-encrypted log streams.
  statement {
    sid       = "UseKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.job.kms_key_arn]
  }

  # Glue writes driver/executor logs to log groups it names under /aws-glue/ and, with
  # CloudWatch encryption on, associates the key with them.
  statement {
    sid       = "WriteGlueLogs"
    effect    = "Allow"
    actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${data.aws_region.current.name}:${local.account_id}:log-group:/aws-glue/*"]
  }

  # cloudwatch:PutMetricData has no resource-level permissions: AWS requires Resource "*";
  # the namespace condition keeps the job to Glue's own metrics.
  statement {
    sid       = "PublishGlueMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
  }
}

# The job's data: the one data-access policy of the Spark jobs (modules/spark-job).
data "aws_iam_policy_document" "this" {
  source_policy_documents = [data.aws_iam_policy_document.runtime.json, var.job.policy_json]
}

module "role" {
  source = "../service-role"

  name        = local.job_name
  description = "Role of the ${local.job_name} Glue job."
  service     = "glue"
  policy_json = data.aws_iam_policy_document.this.json
  tags        = var.tags
}
