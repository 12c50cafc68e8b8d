# shellcheck shell=sh
# 9c-sh-lib.sh - what the pipelines/ scripts share (sourced, POSIX sh)
#
# ninec_init NAME      locate the tools, the share dir and the state dir
# say STEP WHAT...     "NAME: [STEP/TOTAL] WHAT" on stderr
# note WHAT...         "NAME: WHAT" on stderr
# die [STATUS] WHAT... note WHAT, exit STATUS (default 1)
# failed STATUS STEP TOOL  a tool failed: say so, exit with its status
# stages FILE N NAME CMD...  run CMD as stage N of a pipe, its status into FILE
# stages_check FILE WHAT  die with the first failing stage's status
# spec_get SPEC KEY    a scalar of the spec (KEY: name, network.namespace)
# spec_profile SPEC    eks or local
# state_dir NAME       $NINEC_STATE/NAME, made private
#
# The tools come from $NINEC_BIN, else the build/ of the checkout these
# scripts live in (built with make when a tool is missing), else PATH.
# A script run by another (9c-testnet) logs under the caller's name and
# step numbers: NINEC_PROG, NINEC_STEP_BASE and NINEC_STEP_TOTAL.

ninec_init() {
	# ninec_here: the directory of the script that sources this file.
	: "${ninec_here:?}"
	prog=${NINEC_PROG:-$1}
	step_base=${NINEC_STEP_BASE:-0}
	step_total=${NINEC_STEP_TOTAL:-}
	# The scripts run from pipelines/ of a checkout, or from an install
	# (bin/ beside share/9c/).
	ninec_root=$(CDPATH='' cd -- "$ninec_here/.." && pwd)
	if [ -f "$ninec_root/Makefile" ] && [ -d "$ninec_root/tools" ]; then
		: "${NINEC_SHARE:=$ninec_root/share}"
		if [ -z "${NINEC_BIN-}" ]; then
			NINEC_BIN=$ninec_root/build
			ninec_build
		fi
	fi
	if [ -n "${NINEC_BIN-}" ]; then
		PATH=$NINEC_BIN:$ninec_here:$PATH
	else
		PATH=$ninec_here:$PATH
	fi
	export PATH NINEC_BIN
	[ -n "${NINEC_SHARE-}" ] && export NINEC_SHARE
	NINEC_STATE=${NINEC_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/9c}
	export NINEC_STATE
}

# Builds the tools of the checkout when one is missing (a fresh clone).
ninec_build() {
	for nb_t in 9c-tfvars 9c-render 9c-secrets 9c-order 9c-kapply 9c-wait; do
		[ -x "$NINEC_BIN/$nb_t" ] && continue
		note "building the tools (make -C $ninec_root)"
		make -s -C "$ninec_root" >&2 || die "make failed"
		return 0
	done
}

note() { printf '%s: %s\n' "$prog" "$*" >&2; }

die() {
	case $1 in
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) d_st=$1; shift ;;
		*) d_st=1 ;;
	esac
	note "$*"
	exit "$d_st"
}

# failed STATUS STEP TOOL: a tool failed (its message is out): say which,
# and exit with its status.
failed() {
	f_st=$1
	[ "$f_st" -gt 125 ] && f_st=1
	die "$f_st" "$2: $3 failed (status $1)"
}

# say STEP WHAT...: a progress line; STEP counts within this script.
say() {
	s_n=$(($1 + step_base)); shift
	if [ -n "$step_total" ]; then
		note "[$s_n/$step_total] $*"
	else
		note "$*"
	fi
}

# Seconds since $1 (from `now'), one decimal.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# stages FILE NAME CMD...: one stage of a pipe.  POSIX sh has no pipefail:
# each stage appends "ORDER NAME STATUS" to FILE, and stages_check reads
# them after the pipe ends.  ORDER is the stage's place in the pipe.
stages() {
	st_f=$1 st_n=$2 st_name=$3; shift 3
	"$@"
	st_rc=$?
	printf '%s %s %s\n' "$st_n" "$st_name" "$st_rc" >>"$st_f"
	return "$st_rc"
}

# stages_check FILE WHAT: the pipe failed when a stage did.  The first
# failing stage in pipe order is to blame, but not one that only died of
# SIGPIPE (141) or wrote nothing because a later stage exited first.
stages_check() {
	sc_f=$1; shift
	[ -f "$sc_f" ] || die "$*: the pipe did not run"
	sc_bad=$(sort -n "$sc_f" | awk '$3 != 0 && $3 != 141 { print $2, $3; exit }')
	[ -n "$sc_bad" ] || sc_bad=$(sort -n "$sc_f" | awk '$3 != 0 { print $2, $3; exit }')
	rm -f "$sc_f"
	[ -z "$sc_bad" ] && return 0
	sc_tool=${sc_bad% *} sc_rc=${sc_bad##* }
	[ "$sc_rc" -gt 125 ] && sc_rc=1
	die "$sc_rc" "$*: $sc_tool failed (status $sc_rc)"
}

# spec_get SPEC KEY: a scalar of a spec by its dotted path (name,
# network.namespace, bootstrap.argocd.version), from YAML in block style or
# from JSON; empty if absent.  Not a YAML parser: enough for the few values
# the pipelines need before the tools have read the spec.
spec_get() {
	case $(sed -n '/^[[:space:]]*[^#[:space:]]/{s/^[[:space:]]*//;p;q;}' "$1") in
		'{'* | '['*)
			jq -r --arg k "$2" 'getpath($k | split(".")) // empty' "$1"
			return ;;
	esac
	awk -v key="$2" '
		BEGIN { n = split(key, k, "."); depth = 0 }
		/^[[:space:]]*(#|$)/ { next }
		/^(---|\.\.\.)/ { if (seen) exit; seen = 1; next }
		{
			match($0, /^ */); ind = RLENGTH; line = substr($0, ind + 1)
			if (line ~ /^-/ || line !~ /^[^:]+:([[:space:]]|$)/) next
			kk = line; sub(/:.*/, "", kk); gsub(/^["'"'"']|["'"'"']$/, "", kk)
			while (depth > 0 && at[depth] >= ind) depth--
			depth++; at[depth] = ind; nm[depth] = kk
			if (depth != n) next
			for (i = 1; i <= n; i++) if (nm[i] != k[i]) next
			v = line; sub(/^[^:]*:[[:space:]]*/, "", v); sub(/[[:space:]]+#.*$/, "", v)
			if (v ~ /^".*"$/ || v ~ /^'"'"'.*'"'"'$/) v = substr(v, 2, length(v) - 2)
			print v; exit
		}' "$1"
}

# spec_profile SPEC: eks when the spec has a cluster for terraform to build
# (cluster.provider eks, or a cluster section without a provider), else
# local: the local control plane and moto, no AWS account.
spec_profile() {
	sp_p=$(spec_get "$1" cluster.provider)
	if [ "$sp_p" = eks ] || { [ -z "$sp_p" ] && grep -q '^cluster:' "$1"; }; then
		printf 'eks\n'
	else
		printf 'local\n'
	fi
}

# The state of one test network: rendered streams, public keys, addresses.
state_dir() {
	sd_d=$NINEC_STATE/$1
	{ mkdir -p "$sd_d" && chmod 700 "$sd_d"; } || die "cannot create $sd_d"
	printf '%s\n' "$sd_d"
}

# count FILE: objects in a stream of compact JSON lines.
count() { grep -c . "$1" 2>/dev/null || :; }
