# The root module that 9c-tfvars(1) writes variables for.  Plain aws
# provider resources only: no registry modules, so `terraform init' needs
# nothing but the two providers below.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40.0, < 7.0.0"
    }
    tls = {
      source  = "hashicorp/tls"
      version = ">= 4.0.0"
    }
  }

  # Configured with `terraform init -backend-config=FILE'; 9c-tfvars -b
  # writes FILE from the spec's cluster.backend (the bucket must exist).
  backend "s3" {}
}

provider "aws" {
  region  = var.region
  profile = var.profile

  default_tags {
    tags = merge(var.tags, { "kubernetes.io/cluster/${var.name}" = "owned" })
  }
}
