# shellcheck shell=sh
# external-secrets.sh - the external-secrets controller as an addon of
# 9c-local(1) (sourced by 9c-local; see "addons" there).
#
# One process, the controller of the upstream release (no webhook and no
# cert-controller: the release's CRDs convert between their served
# versions with the API server's built-in None strategy, so nothing needs
# a webhook), run outside the cluster with the admin kubeconfig.  Its AWS
# provider talks to the endpoint the AWS SDKs' own variables name
# (AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL) when 9c-local
# starts it, through the controller's override variables
# AWS_SECRETSMANAGER_ENDPOINT and AWS_STS_ENDPOINT: on the local profile,
# the pipeline's moto.  It gets no AWS credentials of its own: a
# SecretStore names them.
# shellcheck disable=SC2154 # api_port, S and the ports come from 9c-local

external_secrets_v=$(addon_modver github.com/external-secrets/external-secrets v0.16.2)

external_secrets_build() { addon_build "external-secrets-$external_secrets_v"; }

external_secrets_start() {
	es_kc=$S/kubeconfig
	# The CRDs first: the controller watches their kinds from the start.
	9c-kapply -q --kubeconfig "$es_kc" "$1/../share/crds.yaml" |
		9c-wait -q --kubeconfig "$es_kc" -t 60 >/dev/null ||
		{ msg "addon $addon: cannot install the CRDs of $1/../share/crds.yaml"; return 1; }
	addon_port external_secrets_metrics_port || return 1
	es_ep=${AWS_ENDPOINT_URL_SECRETS_MANAGER:-${AWS_ENDPOINT_URL-}}
	# A clean environment: the user's AWS settings must not stand in for
	# the SecretStore's credentials.
	set -- env -i PATH=/usr/bin:/bin HOME="$S" KUBECONFIG="$es_kc" AWS_EC2_METADATA_DISABLED=true \
		${es_ep:+AWS_SECRETSMANAGER_ENDPOINT=$es_ep} ${es_ep:+AWS_STS_ENDPOINT=$es_ep} \
		"$1/external-secrets" \
		--metrics-addr="127.0.0.1:$external_secrets_metrics_port" \
		--enable-leader-election=false --concurrent=4 --loglevel=info \
		--zap-time-encoding=iso8601
	addon_run external-secrets "$@"
}

external_secrets_ready() {
	curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:${external_secrets_metrics_port-0}/metrics"
}

external_secrets_env() {
	printf "NINEC_LOCAL_EXTERNAL_SECRETS_LOG='%s'; export NINEC_LOCAL_EXTERNAL_SECRETS_LOG\n" \
		"$S/logs/external-secrets.log"
}
