# shellcheck disable=SC2016 # JSON and templates hold literal $(...) and ${...}
load helpers/common

F=tests/fixtures/render
CORPUS_ARGO=$SHARED/corpus/argo-cd-install.yaml

setup() {
	cd "$NINEC_ROOT" || return 1
	OUT=$BATS_TEST_TMPDIR/out.json
}

# net4 rendered as JSON, one object per line, into $OUT.
render_net4() {
	9c-render -o json network "$F/net4.yaml" -k "$F/pubkeys.yaml" "$@" >"$OUT"
}

# obj KIND NAME: that object of $OUT.
obj() {
	jq -c --arg k "$1" --arg n "$2" \
		'select(.kind == $k and .metadata.name == $n)' "$OUT"
}

@test "usage is the SYNOPSIS of the man page" {
	usage_matches_synopsis 9c-render man1/9c-render.1
}

@test "the examples of 9c-render(1), 9c-spec(5) and 9c-templates(5) run" {
	run_man_examples man1/9c-render.1
	run_man_examples man5/9c-spec.5
	run_man_examples man5/9c-templates.5
}

@test "a 1-seed, 4-miner, 2-remote-headless network has every object of the team's chart" {
	render_net4
	run jq -r '[.kind, .metadata.namespace // "-", .metadata.name] | join(" ")' "$OUT"
	assert_success
	assert_output "Namespace - 9c-sample
StorageClass - 9c-sample-gp2
StorageClass - 9c-sample-gp3
Service 9c-sample tcp-seed-1
Service 9c-sample miner-1
Service 9c-sample miner-2
Service 9c-sample miner-3
Service 9c-sample miner-4
Service 9c-sample remote-headless-1
Service 9c-sample remote-headless-2
ConfigMap 9c-sample 9c-sample-probe-script
SecretStore 9c-sample 9c-sample-secretsmanager
ExternalSecret 9c-sample private-keys
Deployment 9c-sample tcp-seed-1
StatefulSet 9c-sample miner-1
StatefulSet 9c-sample miner-2
StatefulSet 9c-sample miner-3
StatefulSet 9c-sample miner-4
StatefulSet 9c-sample remote-headless-1
StatefulSet 9c-sample remote-headless-2"
}

@test "the rendering of the 4-miner network is the reviewed one" {
	9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml" >"$BATS_TEST_TMPDIR/out.yaml"
	diff -u "$F/net4.out.yaml" "$BATS_TEST_TMPDIR/out.yaml"
}

@test "the seed Deployment has the chart's image, flags, ports, probe and key" {
	render_net4
	run jq -c '.spec.template.spec.containers[0] | [.image, .imagePullPolicy, .command, .args, .ports, .env, .livenessProbe]' <<<"$(obj Deployment tcp-seed-1)"
	assert_success
	assert_output '["planetariumhq/libplanet-seed:git-4d10b228048c03cc97a6fbb7fbfcd54d2bd1b21c","IfNotPresent",["dotnet"],["Libplanet.Seed.Executable.dll","run","--log-level=debug","--app-protocol-version=1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCJlZxZJYNOvEVZ15vKgkppIOUY8MWt4rmjo7Mpu6M92AIgHcuIoTo8GS3hnjn2WAXUBr+yk9FkhXWoosufldmQuVE=","--host=seed-1.example.com","--port=31234","--private-key=$(PRIVATE_KEY)","--graphql-host=0.0.0.0","--graphql-port=31237","--workers=1000"],[{"name":"node","containerPort":31234,"protocol":"TCP"},{"name":"graphql","containerPort":31237,"protocol":"TCP"}],[{"name":"PRIVATE_KEY","valueFrom":{"secretKeyRef":{"name":"private-keys","key":"seed-private-key-1"}}}],{"tcpSocket":{"port":31234},"initialDelaySeconds":120,"periodSeconds":5,"timeoutSeconds":1}]'
	run jq -c '[.spec.replicas, .spec.selector, .spec.template.spec.imagePullSecrets, .spec.template.spec.containers[0].resources]' <<<"$(obj Deployment tcp-seed-1)"
	assert_output '[1,{"matchLabels":{"app":"tcp-seed-1"}},[{"name":"acr-regcred"}],{"requests":{"cpu":"1"}}]'
}

@test "each miner StatefulSet has the chart's flags, ports, volume claim and its own key" {
	render_net4
	run jq -c '[.spec.serviceName, .spec.updateStrategy.type, .spec.template.spec.containers[0].args]' <<<"$(obj StatefulSet miner-3)"
	assert_output '["miner-3","RollingUpdate",["NineChronicles.Headless.Executable.dll","run","--workers=1000","--app-protocol-version=1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCJlZxZJYNOvEVZ15vKgkppIOUY8MWt4rmjo7Mpu6M92AIgHcuIoTo8GS3hnjn2WAXUBr+yk9FkhXWoosufldmQuVE=","--trusted-app-protocol-version-signer=02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09","--genesis-block-path=https://9c-test.s3.ap-northeast-2.amazonaws.com/genesis-block-9c-test","--host=miner-3.example.com","--port=31234","--store-path=/data/miner","--store-type=rocksdb","--swarm-private-key","$(PRIVATE_KEY)","--miner-private-key","$(PRIVATE_KEY)","--peer=0327e9c4b1d1b4ee5fd3fe2bd4cd1d4cb6b52c6be4fbf2b6ab8f3cd6a3e8c1f0aa,tcp-seed-1,31234","--graphql-server","--graphql-host=0.0.0.0","--graphql-port=80","--network-type=Default","--tx-life-time=10"]]'
	run jq -c '.spec.template.spec.containers[0] | [.ports, .env, .volumeMounts, .resources]' <<<"$(obj StatefulSet miner-3)"
	assert_output '[[{"name":"headless","containerPort":31234,"protocol":"TCP"},{"name":"graphql","containerPort":80,"protocol":"TCP"}],[{"name":"PRIVATE_KEY","valueFrom":{"secretKeyRef":{"name":"private-keys","key":"miner-private-key-3"}}},{"name":"EXTRA","value":"1"}],[{"name":"miner-data-3","mountPath":"/data"}],{"requests":{"cpu":"1","memory":"2Gi"}}]'
	run jq -c '.spec.volumeClaimTemplates' <<<"$(obj StatefulSet miner-3)"
	assert_output '[{"metadata":{"name":"miner-data-3"},"spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"9c-sample-gp2","volumeMode":"Filesystem","resources":{"requests":{"storage":"500Gi"}}}}]'
}

@test "remote headless StatefulSets have the RPC flags, probes, probe scripts and two claims" {
	render_net4
	run jq -c '.spec.template.spec | [.initContainers[0].name, .initContainers[0].image, .initContainers[0].command[2], .containers[0].args[-11:], .containers[0].livenessProbe, .containers[0].readinessProbe]' <<<"$(obj StatefulSet remote-headless-2)"
	assert_output '["wait","alpine","apk add --no-cache curl && until curl -sf -o /dev/null http://miner-1.9c-sample.svc.cluster.local:80/ui/playground; do sleep 5; done",["--peer=0327e9c4b1d1b4ee5fd3fe2bd4cd1d4cb6b52c6be4fbf2b6ab8f3cd6a3e8c1f0aa,tcp-seed-1,31234","--graphql-server","--graphql-host=0.0.0.0","--graphql-port=80","--rpc-server","--rpc-remote-server","--rpc-listen-host=0.0.0.0","--rpc-listen-port=31238","--no-cors","--chain-tip-stale-behavior-type=reboot","--network-type=Default"],{"exec":{"command":["/bin/liveness_probe.sh"]},"initialDelaySeconds":1800,"periodSeconds":30,"timeoutSeconds":30,"failureThreshold":3},{"exec":{"command":["/bin/readiness_probe.sh"]},"initialDelaySeconds":15,"periodSeconds":10,"timeoutSeconds":10}]'
	run jq -c '.spec | [.podManagementPolicy, .revisionHistoryLimit, .template.spec.containers[0].volumeMounts, .template.spec.volumes, [.volumeClaimTemplates[] | [.metadata.name, .spec.storageClassName, .spec.resources.requests.storage]], .template.spec.nodeSelector, .template.spec.containers[0].env]' <<<"$(obj StatefulSet remote-headless-2)"
	assert_output '["OrderedReady",10,[{"name":"remote-headless-data-2","mountPath":"/data"},{"name":"remote-headless-logs-2","mountPath":"/app/logs"},{"name":"probe-script","mountPath":"/bin/liveness_probe.sh","subPath":"liveness_probe.sh","readOnly":true},{"name":"probe-script","mountPath":"/bin/readiness_probe.sh","subPath":"readiness_probe.sh","readOnly":true}],[{"name":"probe-script","configMap":{"name":"9c-sample-probe-script","defaultMode":448}}],[["remote-headless-data-2","9c-sample-gp3","500Gi"],["remote-headless-logs-2","9c-sample-gp3","4Gi"]],{"kubernetes.io/os":"linux"},null]'
	run jq -r '.data | keys | join(" ")' <<<"$(obj ConfigMap 9c-sample-probe-script)"
	assert_output "liveness_probe.sh readiness_probe.sh"
}

@test "each node has a LoadBalancer Service with the chart's ports" {
	render_net4
	run jq -c '[.spec.type, .spec.selector, [.spec.ports[] | [.name, .port, .targetPort]]]' <<<"$(obj Service tcp-seed-1)"
	assert_output '["LoadBalancer",{"app":"tcp-seed-1"},[["node",31234,31234]]]'
	run jq -c '[.spec.ports[] | [.name, .port]]' <<<"$(obj Service miner-4)"
	assert_output '[["headless",31234],["graphql",80]]'
	run jq -c '[.spec.ports[] | [.name, .port]]' <<<"$(obj Service remote-headless-1)"
	assert_output '[["graphql",80],["rpc",31238],["headless",31234]]'
}

@test "keys from AWS are an ExternalSecret naming each node key of <name>/private-keys, and its SecretStore" {
	render_net4
	run jq -c '[.apiVersion, .spec]' <<<"$(obj ExternalSecret private-keys)"
	assert_output '["external-secrets.io/v1",{"refreshInterval":"1m","secretStoreRef":{"name":"9c-sample-secretsmanager","kind":"SecretStore"},"target":{"name":"private-keys","creationPolicy":"Owner"},"data":[{"secretKey":"seed-private-key-1","remoteRef":{"key":"9c-sample/private-keys","property":"seed-private-key-1"}},{"secretKey":"miner-private-key-1","remoteRef":{"key":"9c-sample/private-keys","property":"miner-private-key-1"}},{"secretKey":"miner-private-key-2","remoteRef":{"key":"9c-sample/private-keys","property":"miner-private-key-2"}},{"secretKey":"miner-private-key-3","remoteRef":{"key":"9c-sample/private-keys","property":"miner-private-key-3"}},{"secretKey":"miner-private-key-4","remoteRef":{"key":"9c-sample/private-keys","property":"miner-private-key-4"}}]}]'
	run jq -c '[.apiVersion, .spec]' <<<"$(obj SecretStore 9c-sample-secretsmanager)"
	assert_output '["external-secrets.io/v1",{"provider":{"aws":{"service":"SecretsManager","region":"us-east-2"}}}]'
}

@test "keys.aws.credentialsSecret gives the SecretStore static credentials from that Secret" {
	yq -y '.keys.aws.credentialsSecret = "aws-credentials"' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	9c-render -o json network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run jq -c '.spec.provider.aws.auth' <<<"$(obj SecretStore 9c-sample-secretsmanager)"
	assert_output '{"secretRef":{"accessKeyIDSecretRef":{"name":"aws-credentials","key":"access-key-id"},"secretAccessKeySecretRef":{"name":"aws-credentials","key":"secret-access-key"}}}'
	yq -y '.keys.aws.credentialsSecret = "Bad_Name"' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	run -3 --separate-stderr 9c-render network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/spec.yaml:60:24: keys.aws.credentialsSecret: 'Bad_Name' is not a DNS-1123 label (a-z, 0-9 and '-', at most 63)"
}

@test "external-secrets.io/v1beta1 is selectable" {
	sed 's/^network:/keys:\n  apiVersion: external-secrets.io\/v1beta1\nnetwork:/' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	9c-render -o json network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run jq -r 'select(.kind == "ExternalSecret" or .kind == "SecretStore") | .apiVersion' "$OUT"
	assert_output "external-secrets.io/v1beta1
external-secrets.io/v1beta1"
}

@test "keys from a Secret render an empty Secret with one key per keyed node, for 9c-secrets" {
	9c-render -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml" >"$OUT"
	run jq -c '[.type, .stringData, .metadata.annotations]' <<<"$(obj Secret private-keys)"
	assert_output '["Opaque",{"seed-private-key-1":"","miner-private-key-1":""},{"9c.planetarium.dev/aws-secret":"9c-local/private-keys"}]'
	run jq -r 'select(.kind == "ExternalSecret") | .kind' "$OUT"
	assert_output ""
}

@test "peer strings are <seed public key>,<host>,<port> and use the seed's public host with peerHost public" {
	sed 's/^  seed:/  peerHost: public\n  seed:/' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	9c-render -o json network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run jq -r '.spec.template.spec.containers[0].args[] | select(startswith("--peer"))' <<<"$(obj StatefulSet miner-1)"
	assert_output "--peer=0327e9c4b1d1b4ee5fd3fe2bd4cd1d4cb6b52c6be4fbf2b6ab8f3cd6a3e8c1f0aa,seed-1.example.com,31234"
}

@test "without public keys the network render fails and names the missing key" {
	run -3 --separate-stderr 9c-render network "$F/net4.yaml"
	assert_equal "$stderr" "9c-render: $F/net4.yaml: network.seed: peers need the public key of seed-private-key-1: give -k keys (or -P to preview)"
	assert_equal "$output" ""
}

@test "-P renders a placeholder public key for previews" {
	9c-render -P -o json network "$F/net4.yaml" >"$OUT"
	run jq -r '.spec.template.spec.containers[0].args[] | select(startswith("--peer"))' <<<"$(obj StatefulSet miner-2)"
	assert_output "--peer=<seed-private-key-1>,tcp-seed-1,31234"
}

@test "-P previews the host of each node whose load balancer does not exist yet" {
	9c-render -P -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" >"$OUT"
	run -0 jq -r '.spec.template.spec.containers[]? | (.args // [])[] | select(startswith("--host="))' "$OUT"
	assert_output "$(printf -- '--host=<address of tcp-seed-1>\n--host=<address of miner-1>\n--host=<address of remote-headless-1>')"
}

@test "a node without a host fails, names the nodes and the ways to give one" {
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k "$F/pubkeys-local.yaml"
	assert_equal "$stderr" "9c-render: share/examples/local.yaml: network: no host for tcp-seed-1, miner-1, remote-headless-1: give hosts, network.domain, useTurn, or addresses with -a (-S renders the Services alone)"
}

@test "more than three nodes without a host are counted, not all listed" {
	yq -y 'del(.network.seed.hosts, .network.miner.hosts, .network.remoteHeadless.hosts)' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	run -3 --separate-stderr 9c-render network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/spec.yaml: network: no host for tcp-seed-1, miner-1, miner-2 and 4 more: give hosts, network.domain, useTurn, or addresses with -a (-S renders the Services alone)"
}

@test "-S renders the Namespace and the Services alone: pass 1 needs no hosts and no keys" {
	9c-render -S -o json network share/examples/local.yaml >"$OUT"
	run jq -r '[.kind, .metadata.name] | join(" ")' "$OUT"
	assert_output "Namespace 9c-local
Service tcp-seed-1
Service miner-1
Service remote-headless-1"
}

@test "the address pass fills each node's host from a Services stream, matched by namespace and name" {
	9c-render -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml" >"$OUT"
	run jq -r 'select(.kind == "Deployment" or .kind == "StatefulSet") | .metadata.name + " " + (.spec.template.spec.containers[0].args[]? | select(startswith("--host")))' "$OUT"
	assert_output "tcp-seed-1 --host=a1b2c3-1.us-east-2.elb.amazonaws.com
miner-1 --host=203.0.113.7
remote-headless-1 --host=d4e5f6-2.us-east-2.elb.amazonaws.com"
}

@test "addresses may come as JSON from stdin" {
	yq -c '.items[]' "$F/addresses.yaml" >"$BATS_TEST_TMPDIR/addr.json"
	9c-render -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" -a - <"$BATS_TEST_TMPDIR/addr.json" >"$OUT"
	run jq -r '.spec.template.spec.containers[0].args[] | select(startswith("--host"))' <<<"$(obj StatefulSet miner-1)"
	assert_output "--host=203.0.113.7"
}

@test "with a DNS domain hosts are names and Services carry external-dns annotations" {
	9c-render -o json network share/examples/eks.yaml -k "$F/pubkeys.yaml" >"$OUT"
	run jq -c '.metadata.annotations' <<<"$(obj Service remote-headless-2)"
	assert_output '{"service.beta.kubernetes.io/aws-load-balancer-scheme":"internet-facing","service.beta.kubernetes.io/aws-load-balancer-type":"external","service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":"ip","external-dns.alpha.kubernetes.io/hostname":"9c-sample-remote-headless-2.planetarium.dev","external-dns.alpha.kubernetes.io/ttl":"60"}'
	run jq -r '.spec.template.spec.containers[0].args[] | select(startswith("--host"))' <<<"$(obj StatefulSet remote-headless-2)"
	assert_output "--host=9c-sample-remote-headless-2.planetarium.dev"
}

@test "TURN nodes get --ice-server and no --host: a headless node each ICE server, a seed the first" {
	yq -y '.network.iceServers = ["turn://u:p@turn-us.planetarium.dev:3478", "stun://stun.example.com:3478"] | del(.network.seed.hosts, .network.miner.hosts) | .network.seed.useTurn = true | .network.miner.useTurn = true' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	9c-render -o json network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run jq -c '[.spec.template.spec.containers[0].args[] | select(startswith("--host") or startswith("--ice"))]' <<<"$(obj Deployment tcp-seed-1)"
	assert_output '["--ice-server=turn://u:p@turn-us.planetarium.dev:3478"]'
	run jq -c '[.spec.template.spec.containers[0].args[] | select(startswith("--host") or startswith("--ice"))]' <<<"$(obj StatefulSet miner-2)"
	assert_output '["--ice-server=turn://u:p@turn-us.planetarium.dev:3478","--ice-server=stun://stun.example.com:3478"]'
	run jq -c '.metadata.annotations' <<<"$(obj Service tcp-seed-1)"
	assert_output 'null'
}

@test "validators get consensus flags, keys and a gossip port; seeds a gossip port" {
	sed 's/^  miner:/  validator:/; s/miner-[1-4]\.example\.com/v.example.com/; s/release: 2022-pow/release: 2023-pbft/' "$F/net4.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	9c-render -o json network "$BATS_TEST_TMPDIR/spec.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run jq -c '.spec.template.spec.containers[0] | [[.args[] | select(startswith("--consensus") or . == "--miner-private-key")], .ports[2], .env[0].valueFrom.secretKeyRef.key]' <<<"$(obj StatefulSet validator-2)"
	assert_output '[["--consensus-private-key","--consensus-port=6000","--consensus-seed=0327e9c4b1d1b4ee5fd3fe2bd4cd1d4cb6b52c6be4fbf2b6ab8f3cd6a3e8c1f0aa,tcp-seed-1,31235"],{"name":"gossip","containerPort":6000,"protocol":"TCP"},"validator-private-key-2"]'
	run jq -c '[(.spec.template.spec.containers[0].args[] | select(startswith("--gossip"))), .spec.template.spec.containers[0].ports[2].containerPort]' <<<"$(obj Deployment tcp-seed-1)"
	assert_output '["--gossip-port=31235",31235]'
	run jq -c '[.spec.ports[] | .name]' <<<"$(obj Service validator-1)"
	assert_output '["headless","graphql","gossip"]'
	run jq -r '.spec.template.spec.initContainers[0].command[2]' <<<"$(obj StatefulSet remote-headless-1)"
	assert_output "apk add --no-cache curl && until curl -sf -o /dev/null http://validator-1.9c-sample.svc.cluster.local:80/ui/playground; do sleep 5; done"
}

@test "storage classes, sizes and scheduling come from the spec" {
	9c-render -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml" >"$OUT"
	run jq -c '[.provisioner, .reclaimPolicy, .allowVolumeExpansion]' <<<"$(obj StorageClass 9c-local)"
	assert_output '["kwok.x-k8s.io/volume","Delete",true]'
	run jq -c '[.spec.volumeClaimTemplates[] | [.spec.storageClassName, .spec.resources.requests.storage]]' <<<"$(obj StatefulSet remote-headless-1)"
	assert_output '[["9c-local","1Gi"],["9c-local","100Mi"]]'
}

@test "bootstrap puts Argo CD's manifest in its namespace and merges the settings into its ConfigMaps" {
	9c-render -o json bootstrap share/examples/eks.yaml -m "$CORPUS_ARGO" >"$OUT"
	run jq -r 'select(.metadata.namespace == null) | .kind' "$OUT"
	assert_output "Namespace
CustomResourceDefinition
CustomResourceDefinition
CustomResourceDefinition
ClusterRole
ClusterRole
ClusterRole
ClusterRoleBinding
ClusterRoleBinding
ClusterRoleBinding"
	run jq -c '.data | [."statusbadge.enabled", ."admin.enabled"]' <<<"$(obj ConfigMap argocd-cm)"
	assert_output '["true","true"]'
	run jq -c '.data' <<<"$(obj ConfigMap argocd-rbac-cm)"
	assert_output "{\"policy.default\":\"role:''\"}"
	run jq -r 'select(.kind == "Application" or .kind == "AppProject" or .kind == "Ingress" or .kind == "SecretStore" or .kind == "ExternalSecret") | .kind + " " + .metadata.name' "$OUT"
	assert_output "Ingress argocd-ingress
AppProject infra
Application external-secrets
Application cluster-autoscaler
Application external-dns
Application metrics-server
Application aws-load-balancer-controller
SecretStore argocd-secretsmanager
ExternalSecret repo-creds"
}

@test "add-on Applications pin their charts and take IRSA role ARNs from the cluster facts" {
	9c-render -o json bootstrap share/examples/eks.yaml -f "$F/facts.yaml" -m "$CORPUS_ARGO" >"$OUT"
	run jq -r 'select(.kind == "Application") | [.metadata.name, .spec.source.chart, .spec.source.repoURL, .spec.source.targetRevision, .spec.project] | join(" ")' "$OUT"
	assert_output "external-secrets external-secrets https://charts.external-secrets.io 0.7.0 infra
cluster-autoscaler cluster-autoscaler https://kubernetes.github.io/autoscaler 9.9.2 infra
external-dns external-dns https://charts.bitnami.com/bitnami 6.1.4 infra
metrics-server metrics-server https://charts.bitnami.com/bitnami 5.11.1 infra
aws-load-balancer-controller aws-load-balancer-controller https://aws.github.io/eks-charts 1.4.6 infra"
	run jq -r '.spec.source.helm.values' <<<"$(obj Application cluster-autoscaler)"
	assert_output "autoDiscovery:
  clusterName: 9c-sample
awsRegion: us-east-2
cloudProvider: aws
extraArgs:
  balance-similar-node-groups: true
  logtostderr: true
  skip-nodes-with-local-storage: false
  stderrthreshold: info
  v: 4
rbac:
  serviceAccount:
    name: aws-cluster-autoscaler
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::838612679705:role/from-facts-cluster-autoscaler
image:
  tag: v1.20.0"
	run jq -r '.spec.source.helm.values' <<<"$(obj Application external-secrets)"
	assert_line "  name: 9c-sample-external-secrets"
	assert_line "    eks.amazonaws.com/role-arn: arn:aws:iam::838612679705:role/from-facts-external-secrets"
}

@test "without cluster facts the role ARNs follow the terraform names eks-<cluster>-<add-on>" {
	9c-render -o json bootstrap share/examples/eks.yaml -m "$CORPUS_ARGO" >"$OUT"
	run jq -r '.spec.source.helm.values' <<<"$(obj Application aws-load-balancer-controller)"
	assert_line "    eks.amazonaws.com/role-arn: arn:aws:iam::838612679705:role/eks-9c-sample-alb-controller"
	run jq -r '.spec.source.helm.values' <<<"$(obj Application external-dns)"
	assert_line "    eks.amazonaws.com/role-arn: arn:aws:iam::838612679705:role/eks-9c-sample-external-dns"
}

@test "Argo CD's repository credentials come from AWS through an ExternalSecret with the repository label" {
	9c-render -o json bootstrap share/examples/eks.yaml -m "$CORPUS_ARGO" >"$OUT"
	run jq -c '.spec | [.target.template.metadata.labels, .target.template.data, .dataFrom]' <<<"$(obj ExternalSecret repo-creds)"
	assert_output '[{"argocd.argoproj.io/secret-type":"repository","app.kubernetes.io/part-of":"argocd"},{"type":"git","url":"https://github.com/planetarium/9c-infra","username":"libplanet","password":"{{ .password }}"},[{"extract":{"key":"9c-sample/github-token"}}]]'
}

@test "the local bootstrap has Argo CD and metrics-server only" {
	9c-render -o json bootstrap share/examples/local.yaml -m "$CORPUS_ARGO" >"$OUT"
	run jq -r 'select(.kind == "Application" or .kind == "Ingress" or .kind == "ExternalSecret") | .metadata.name' "$OUT"
	assert_output "metrics-server"
}

@test "patches after rendering: a JSON patch and a merge patch on objects named by kind and name" {
	9c-render -o json bootstrap share/examples/eks.yaml -m "$CORPUS_ARGO" -p "$F/argocd-patches.yaml" >"$OUT"
	run jq -c '.spec.template.spec.containers[0].args' <<<"$(obj Deployment argocd-server)"
	assert_output '["/usr/local/bin/argocd-server","--insecure"]'
	run jq -r '.spec.type' <<<"$(obj Service argocd-server)"
	assert_output "LoadBalancer"
}

@test "JSON patch operations: add, remove, replace, move, copy and test" {
	cat >"$BATS_TEST_TMPDIR/p.yaml" <<-'EOF'
	apiVersion: 9c.planetarium.dev/v1alpha1
	kind: Patch
	target: {kind: Service, name: miner-2}
	jsonPatch:
	- {op: test, path: /spec/type, value: LoadBalancer}
	- {op: replace, path: /spec/type, value: NodePort}
	- {op: remove, path: /spec/allocateLoadBalancerNodePorts}
	- {op: add, path: /spec/ports/0, value: {name: first, port: 1}}
	- {op: copy, from: /spec/ports/1/name, path: /metadata/labels/copied}
	- {op: move, from: /spec/selector, path: /metadata/annotations}
	- {op: remove, path: /spec/ports/2}
	- {op: add, path: /metadata/labels/a~1b, value: slash}
	EOF
	render_net4 -p "$BATS_TEST_TMPDIR/p.yaml"
	run jq -c '[.spec, .metadata.labels, .metadata.annotations]' <<<"$(obj Service miner-2)"
	assert_output '[{"type":"NodePort","ports":[{"name":"first","port":1},{"name":"headless","port":31234,"targetPort":31234,"protocol":"TCP"}]},{"app":"miner-2","copied":"headless","a/b":"slash"},{"app":"miner-2"}]'
}

@test "a merge patch with null deletes the key" {
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\ntarget: {kind: StatefulSet, name: miner-1}\nmergePatch:\n  spec:\n    updateStrategy: null\n    replicas: 2\n' >"$BATS_TEST_TMPDIR/p.yaml"
	render_net4 -p "$BATS_TEST_TMPDIR/p.yaml"
	run jq -c '[.spec.replicas, .spec.updateStrategy]' <<<"$(obj StatefulSet miner-1)"
	assert_output '[2,null]'
}

@test "a patch that matches no object fails with status 3" {
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\ntarget: {kind: Deployment, name: nope}\nmergePatch: {}\n' >"$BATS_TEST_TMPDIR/p.yaml"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml" -p "$BATS_TEST_TMPDIR/p.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/p.yaml:1: document 1: target: no Deployment named nope in the output"
	assert_equal "$output" ""
}

@test "a failing JSON patch operation is named by its number" {
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\ntarget: {kind: Service, name: miner-1}\njsonPatch:\n- {op: add, path: /spec/type, value: x}\n- {op: remove, path: /spec/nothing}\n' >"$BATS_TEST_TMPDIR/p.yaml"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml" -p "$BATS_TEST_TMPDIR/p.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/p.yaml:6:3: document 1: jsonPatch: operation 2: /spec/nothing: no such value"
}

@test "a patch document needs a target and one kind of patch" {
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\ntarget: {kind: Service, name: miner-1}\n' >"$BATS_TEST_TMPDIR/p.yaml"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml" -p "$BATS_TEST_TMPDIR/p.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/p.yaml:1: document 1: needs jsonPatch or mergePatch, one of them"
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\nmergePatch: {}\n' >"$BATS_TEST_TMPDIR/p.yaml"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml" -p "$BATS_TEST_TMPDIR/p.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/p.yaml:1: document 1: target: needs kind and name"
}

@test "apps renders the Argo CD Applications of the bootstrap and the network from gitops" {
	9c-render -o json apps share/examples/eks.yaml >"$OUT"
	run jq -c '[.metadata.name, .metadata.namespace, .spec.project, .spec.source, .spec.destination.namespace]' "$OUT"
	assert_output '["9c-sample-bootstrap","argocd","infra",{"repoURL":"https://github.com/planetarium/9c-infra.git","targetRevision":"main","path":"9c-sample/bootstrap","directory":{"recurse":true}},"argocd"]
["9c-sample-network","argocd","default",{"repoURL":"https://github.com/planetarium/9c-infra.git","targetRevision":"main","path":"9c-sample/network","directory":{"recurse":true}},"9c-sample"]'
}

@test "apps without a gitops section fails with status 3" {
	run -3 --separate-stderr 9c-render apps "$F/net4.yaml"
	assert_equal "$stderr" "9c-render: $F/net4.yaml: gitops: missing: apps needs gitops.repo and gitops.path"
}

@test "bootstrap of a spec without a bootstrap section fails with status 3" {
	run -3 --separate-stderr 9c-render bootstrap "$F/net4.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $F/net4.yaml: bootstrap: missing: the spec has no bootstrap section"
}

@test "bootstrap without -m, an unknown mode, a missing spec or a bad -o are usage errors" {
	run -2 --separate-stderr 9c-render bootstrap share/examples/eks.yaml
	assert_equal "${stderr_lines[0]}" "9c-render: bootstrap needs -m with Argo CD's install manifest"
	run -2 --separate-stderr 9c-render deploy share/examples/eks.yaml
	assert_equal "${stderr_lines[0]}" "9c-render: unknown mode 'deploy': network, bootstrap or apps"
	run -2 --separate-stderr 9c-render network
	assert_equal "${stderr_lines[0]}" "9c-render: a mode and a spec are needed"
	run -2 --separate-stderr 9c-render network a b
	assert_equal "${stderr_lines[0]}" "9c-render: too many arguments"
	run -2 --separate-stderr 9c-render -o xml network share/examples/eks.yaml
	assert_equal "${stderr_lines[0]}" "9c-render: -o: unknown format 'xml'"
}

@test "an unreadable spec or input file fails with status 3" {
	run -3 --separate-stderr 9c-render network /nonexistent.yaml
	assert_equal "$stderr" "9c-render: /nonexistent.yaml: No such file or directory"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k /nonexistent.yaml
	assert_equal "$stderr" "9c-render: /nonexistent.yaml: No such file or directory"
}

@test "every invalid spec fails with status 3 and its exact message, before anything renders" {
	local f n=0
	for f in "$F"/bad/*.yaml; do
		run -3 --separate-stderr 9c-render network "$f" -k "$F/pubkeys.yaml"
		assert_equal "$stderr" "$(cat "${f%.yaml}.err")" || return 1
		assert_equal "$output" "" || return 1
		n=$((n + 1))
	done
	[ "$n" -ge 27 ]
}

@test "a public-keys input with a bad key, or of another kind, is refused" {
	sed 's/publicKey: 0327e9/publicKey: 9927e9Z/' "$F/pubkeys.yaml" >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/k.yaml: keys[0]: publicKey: expected 66 lowercase hex digits (a compressed key)"
	run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$F/facts.yaml"
	assert_equal "$stderr" "9c-render: $F/facts.yaml: no NodePublicKeys document (apiVersion 9c.planetarium.dev/v1alpha1)"
	run -3 --separate-stderr 9c-render bootstrap share/examples/eks.yaml -m "$CORPUS_ARGO" -f "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $F/pubkeys.yaml: no ClusterFacts document (apiVersion 9c.planetarium.dev/v1alpha1)"
}

@test "templates keep types, drop absent optional values, repeat blocks, splice lists and merge maps" {
	9c-render -o json -t "$F/tmpl-features" network "$F/net4.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run jq -c 'select(.kind == "Features")' "$OUT"
	assert_output '{"apiVersion":"v1","kind":"Features","metadata":{"name":"features","annotations":{"fixed":"x","kubernetes.io/os":"linux"}},"typed":{"count":4,"turn":false,"resources":{"requests":{"cpu":"1","memory":"2Gi"}}},"text":"miner-count=4 first=miner-1","names":["miner-1@miner-1.example.com","miner-2@miner-2.example.com","miner-3@miner-3.example.com","miner-4@miner-4.example.com"],"items":["first","--tx-life-time=10","kept"],"yaml":"a: 4\n","escaped":"${not.a.placeholder}","kept":{"index":2}}'
	run jq -r '.kind' "$OUT"
	assert_line --index 1 "StorageClass"
}

@test "a missing template value names the template, its line and the spec path" {
	run -3 --separate-stderr 9c-render -t "$F/tmpl-missing" network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $F/tmpl-missing/network/namespace.yaml:6:12: network.owner: missing"
	assert_equal "$output" ""
}

@test "a missing value inside a repeated block names the item it came from" {
	mkdir -p "$BATS_TEST_TMPDIR/t/network"
	printf '$each: nodes.miner\n$as: node\nkind: X\nmetadata:\n  name: ${node.nothing}\n' >"$BATS_TEST_TMPDIR/t/network/service.yaml"
	run -3 --separate-stderr 9c-render -t "$BATS_TEST_TMPDIR/t" network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/t/network/service.yaml:5:9: nodes.miner[0].nothing: missing"
}

@test "an unknown template directive is an error" {
	run -3 --separate-stderr 9c-render -t "$F/tmpl-directive" network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $F/tmpl-directive/network/namespace.yaml:4:3: \$name: unknown directive"
}

@test "-o json writes one compact object per line, the same objects as YAML" {
	render_net4
	run jq -s length "$OUT"
	assert_output 20
	9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml" >"$BATS_TEST_TMPDIR/out.yaml"
	yq -c '.' "$BATS_TEST_TMPDIR/out.yaml" >"$BATS_TEST_TMPDIR/from-yaml.json"
	diff <(jq -S -c . "$OUT") <(jq -S -c . "$BATS_TEST_TMPDIR/from-yaml.json")
}

@test "the spec may be read from standard input" {
	9c-render -o json network - -k "$F/pubkeys.yaml" <"$F/net4.yaml" >"$OUT"
	run jq -s length "$OUT"
	assert_output 20
	run -3 --separate-stderr 9c-render network - <"$F/bad/unknown-key.yaml"
	assert_equal "$stderr" "9c-render: <stdin>:18:3: network.minr: unknown key, did you mean 'miner'?"
}

@test "template misuse: a splice outside a list, a mapping inside a string, \$each over a mapping" {
	local t=$BATS_TEST_TMPDIR/t
	mkdir -p "$t/network"
	printf 'kind: X\nmetadata:\n  name: ${*network.seed.extraArgs}\n' >"$t/network/namespace.yaml"
	run -3 --separate-stderr 9c-render -t "$t" network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $t/network/namespace.yaml:3:9: network.seed.extraArgs: \${*...} only works as a list item"
	printf 'kind: X\nmetadata:\n  name: x-${network.miner.resources}\n' >"$t/network/namespace.yaml"
	run -3 --separate-stderr 9c-render -t "$t" network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $t/network/namespace.yaml:3:9: network.miner.resources: mapping cannot be part of a string"
	printf 'kind: X\nitems:\n- $each: network.miner\n  $value: x\n' >"$t/network/namespace.yaml"
	run -3 --separate-stderr 9c-render -t "$t" network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $t/network/namespace.yaml:3:10: network.miner: \$each needs a list, got mapping"
}

@test "Services allocate no node port with NLB IP targets or on the local profile, and do on EKS with instance targets" {
	9c-render -S -o json network share/examples/eks.yaml >"$OUT"
	run -0 jq -r 'select(.kind == "Service") | .spec.allocateLoadBalancerNodePorts' "$OUT"
	assert_equal "$(sort -u <<<"$output")" false
	grep -v aws-load-balancer-nlb-target-type share/examples/eks.yaml >"$BATS_TEST_TMPDIR/instance.yaml"
	9c-render -S -o json network "$BATS_TEST_TMPDIR/instance.yaml" >"$OUT"
	run -0 jq -r 'select(.kind == "Service") | .spec.allocateLoadBalancerNodePorts' "$OUT"
	assert_equal "$(sort -u <<<"$output")" true
	9c-render -S -o json network share/examples/local.yaml >"$OUT"
	run -0 jq -r 'select(.kind == "Service") | .spec.allocateLoadBalancerNodePorts' "$OUT"
	assert_equal "$(sort -u <<<"$output")" false
}

@test "a network whose Services need more node ports than the range holds is refused at render time, naming the count" {
	grep -v aws-load-balancer-nlb-target-type share/examples/eks.yaml |
		sed '/^  remoteHeadless:/,/count:/s/count: 2/count: 1000/' >"$BATS_TEST_TMPDIR/big.yaml"
	run -3 --separate-stderr 9c-render -S network "$BATS_TEST_TMPDIR/big.yaml"
	assert_equal "$output" ""
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/big.yaml: network.service: 3003 node ports needed by 1002 Services, the node-port range 30000-32767 holds 2768: use NLB IP targets (network.service.nodePorts: false) or a wider --service-node-port-range"
	# The same network fits a wider range, or with no node ports at all.
	printf '    nodePortRange: 20000-32767\n' >"$BATS_TEST_TMPDIR/range"
	sed '/^  service:/r '"$BATS_TEST_TMPDIR/range" "$BATS_TEST_TMPDIR/big.yaml" >"$BATS_TEST_TMPDIR/wide.yaml"
	run -0 --separate-stderr 9c-render -S network "$BATS_TEST_TMPDIR/wide.yaml"
	run -0 --separate-stderr 9c-render -S network \
		<(sed '/^  remoteHeadless:/,/count:/s/count: 2/count: 1000/' share/examples/eks.yaml)
}

@test "a node-port range that is not one is bad input" {
	printf '    nodePortRange: 32767-30000\n' >"$BATS_TEST_TMPDIR/range"
	sed '/^  service:/r '"$BATS_TEST_TMPDIR/range" share/examples/eks.yaml >"$BATS_TEST_TMPDIR/bad.yaml"
	line=$(grep -n nodePortRange "$BATS_TEST_TMPDIR/bad.yaml" | cut -d: -f1)
	run -3 --separate-stderr 9c-render -S network "$BATS_TEST_TMPDIR/bad.yaml"
	assert_equal "$stderr" "9c-render: $BATS_TEST_TMPDIR/bad.yaml:$line:20: network.service.nodePortRange: not a port range such as 30000-32767"
}
