# 9c-tfvars -f maps these onto a ClusterFacts document (9c-tfvars(1)):
# cluster_name -> cluster.name, *_role_arn -> cluster.roles.*, and so on.

output "cluster_name" {
  value = aws_eks_cluster.this.name
}

output "cluster_version" {
  value = aws_eks_cluster.this.version
}

output "cluster_endpoint" {
  value = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  value = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_oidc_issuer_url" {
  value = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "oidc_provider_arn" {
  value = aws_iam_openid_connect_provider.this.arn
}

output "region" {
  value = var.region
}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}

output "node_role_arn" {
  value = aws_iam_role.node.arn
}

output "external_secrets_role_arn" {
  value = aws_iam_role.irsa["external_secrets"].arn
}

output "cluster_autoscaler_role_arn" {
  value = aws_iam_role.irsa["cluster_autoscaler"].arn
}

output "external_dns_role_arn" {
  value = aws_iam_role.irsa["external_dns"].arn
}

output "ebs_csi_driver_role_arn" {
  value = aws_iam_role.irsa["ebs_csi_driver"].arn
}

output "load_balancer_controller_role_arn" {
  value = aws_iam_role.irsa["load_balancer_controller"].arn
}
