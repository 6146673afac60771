# The curate data (modules/spark-job, the same grant as the Glue job's) plus what
# the engine needs: the job files, the job logs and the key (no TempDir: Spark on EMR
# stages nothing in S3).
data "aws_iam_policy_document" "this" {
  source_policy_documents = [var.job.policy_json]

  statement {
    sid       = "ReadJobArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.job.artifacts.arn}/glue/*"]
  }

  statement {
    sid       = "WriteJobLogs"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${var.job.artifacts.arn}/${local.logs_prefix}*"]
  }

  statement {
    sid       = "UseKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.job.kms_key_arn]
  }
}

module "role" {
  source = "../service-role"

  name        = "${local.name}-emr"
  description = "Job execution role of the ${local.name} EMR Serverless application."
  service     = "emr-serverless"
  policy_json = data.aws_iam_policy_document.this.json
  tags        = var.tags
}
