terraform {
  # 1.10 is the first release whose S3 backend supports use_lockfile (native state locking).
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
