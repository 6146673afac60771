# Lake Formation data locations: the curated and analytics buckets, where the catalog's
# tables live (raw has no tables). Registered in hybrid access mode by default, so the
# IAM policies the pipeline, jobs and Athena already use keep working beside any Lake
# Formation grants (column-level access to TFNs, for instance) added later.
#
# Lake Formation reaches the data through its own role, which must be able to use the
# lake's KMS key: a module role rather than the service-linked one, which a key policy
# would have to name.

locals {
  lake_formation_locations = var.lake_formation.enabled ? {
    curated   = module.bucket["curated"].bucket.arn
    analytics = module.bucket["analytics"].bucket.arn
  } : {}
}

data "aws_iam_policy_document" "lake_formation" {
  statement {
    sid       = "ReadWriteLocations"
    effect    = "Allow"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = [for arn in values(local.lake_formation_locations) : "${arn}/*"]
  }

  statement {
    sid       = "ListLocations"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = values(local.lake_formation_locations)
  }

  statement {
    sid       = "UseLakeKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

module "lake_formation_role" {
  source = "../service-role"
  count  = var.lake_formation.enabled ? 1 : 0

  name        = "${var.name_prefix}-lakeformation"
  description = "Lake Formation's access to the ${var.name_prefix} lake locations."
  service     = "lakeformation"
  policy_json = data.aws_iam_policy_document.lake_formation.json
  tags        = var.tags
}

resource "aws_lakeformation_resource" "this" {
  for_each = local.lake_formation_locations

  arn                   = each.value
  role_arn              = module.lake_formation_role[0].role.arn
  hybrid_access_enabled = var.lake_formation.hybrid_access
}
