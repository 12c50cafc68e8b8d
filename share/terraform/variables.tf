variable "name" {
  description = "General name for cluster related resources: the EKS cluster, its roles and tags."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.name)) && length(var.name) <= 41
    error_message = "The name must be a DNS-1123 label of at most 41 characters (IAM role names eks-<name>-cluster-autoscaler fit 64)."
  }
}

variable "region" {
  description = "AWS region of the cluster."
  type        = string
}

variable "profile" {
  description = "AWS shared-config profile; null uses the default credential chain."
  type        = string
  default     = null
}

variable "account_id" {
  description = "AWS account the spec expects; apply fails when the credentials belong to another."
  type        = string
  default     = null
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version, pinned (\"1.33\")."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The version must look like \"1.33\"."
  }
}

variable "vpc_id" {
  description = "Existing VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Existing public subnets (at least two availability zones) for the control plane and the nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones."
  }
}

variable "endpoint_public_access" {
  type    = bool
  default = true
}

variable "endpoint_private_access" {
  type    = bool
  default = true
}

variable "public_access_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "node_groups" {
  description = "Managed node groups by name."
  type = map(object({
    instance_types = list(string)
    min_size       = number
    desired_size   = number
    max_size       = number
    disk_size      = optional(number, 20)
    capacity_type  = optional(string, "ON_DEMAND")
    labels         = optional(map(string), {})
    taints = optional(list(object({
      key    = string
      value  = optional(string)
      effect = string
    })), [])
  }))

  validation {
    condition = alltrue([for g in values(var.node_groups) :
    g.min_size <= g.desired_size && g.desired_size <= g.max_size && g.max_size >= 1])
    error_message = "Each node group needs min_size <= desired_size <= max_size and max_size >= 1."
  }
}

variable "addons" {
  description = "EKS add-ons by name; a null version means the EKS default for the cluster version."
  type        = map(string)
  default = {
    "vpc-cni"            = null
    "coredns"            = null
    "kube-proxy"         = null
    "aws-ebs-csi-driver" = null
  }
}

variable "addon_namespaces" {
  description = "Namespaces of the service accounts that the IRSA roles trust."
  type = object({
    external_secrets         = optional(string, "kube-system")
    cluster_autoscaler       = optional(string, "kube-system")
    external_dns             = optional(string, "kube-system")
    load_balancer_controller = optional(string, "kube-system")
  })
  default = {}
}

variable "tags" {
  description = "Tags on every AWS resource."
  type        = map(string)
  default     = {}
}
