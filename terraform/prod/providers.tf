provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "taxlake"
      environment = local.environment
      managed_by  = "terraform"
    }
  }
}
