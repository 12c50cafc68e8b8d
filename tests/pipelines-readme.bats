#!/usr/bin/env bats
# The README's first command, literally, on a clean clone of the work tree:
# it builds the tools (make), starts the local control plane (from the
# cached binaries) and moto, brings the sample network up and prints its
# status.  A clone holds only what is committed: uncommitted files are
# missing there, so this passes once everything is committed.
load helpers/common

setup_file() {
	export READMEDIR=$BATS_FILE_TMPDIR/clone
	git clone -q "$NINEC_ROOT" "$READMEDIR" || return 1
	# The clone must find nothing of the work tree: its own build, its
	# own share/, its own state, its own cluster.
	unset NINEC_BIN NINEC_SHARE KUBECONFIG NINEC_LOCAL_STATE AWS_ENDPOINT_URL AWS_PROFILE
	export NINEC_STATE=$BATS_FILE_TMPDIR/state
	export NINEC_CLUSTER=bats-pipelines-readme
	# No ../shared beside the clone, and no route to GitHub here.
	export NINEC_ARGOCD_MANIFEST=$SHARED/corpus/argo-cd-install.yaml
}

setup() {
	# helpers/common points every test at the work tree's build: undo it
	unset NINEC_BIN NINEC_SHARE KUBECONFIG NINEC_LOCAL_STATE AWS_ENDPOINT_URL AWS_PROFILE
	PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v "^$NINEC_ROOT/" | paste -sd: -)
}

teardown_file() {
	local pid
	pid=$(cut -d' ' -f1 "$NINEC_STATE/9c-local/moto/pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	"$READMEDIR/pipelines/9c-local" -n "$NINEC_CLUSTER" down >/dev/null 2>&1 || :
}

@test "the README's first command brings the sample network up from a clean clone and prints its status" {
	# README: `make deps && pipelines/9c-testnet up'; make deps installs
	# system packages, which this machine has.
	run -0 grep -c -F 'pipelines/9c-testnet up ' "$READMEDIR/README.md"
	cd "$READMEDIR"
	run -0 --separate-stderr pipelines/9c-testnet up
	assert_line --index 0 "network 9c-local in namespace 9c-local (local profile)"
	assert_line --index 3 --regexp '^tcp-seed-1 +Deployment +1/1 +a'
	assert_line --index 4 --regexp '^miner-1 +StatefulSet +1/1 +a'
	assert_line --index 5 --regexp '^remote-headless-1 +StatefulSet +1/1 +a'
	[ -x build/9c-render ]
}

@test "down on the clean clone stops the control plane and moto it started" {
	cd "$READMEDIR"
	run -0 --separate-stderr pipelines/9c-testnet down
	run -1 pipelines/9c-local -n "$NINEC_CLUSTER" status
	[ ! -e "$NINEC_STATE/9c-local/moto" ]
}
