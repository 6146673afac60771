terraform {
  # 1.9 is what modules/platform needs; no S3 backend here, so no use_lockfile (1.10).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
