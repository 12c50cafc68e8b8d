# moto.bash - a private moto_server (AWS Secrets Manager) for a Bats file,
# on 127.0.0.1, with signature checking on.
#
#   load 'helpers/moto'
#   setup_file()    { moto_start; }
#   teardown_file() { moto_stop; }
#
# moto_start starts moto_server on a free loopback port with
# INITIAL_NO_AUTH_ACTION_COUNT=0, so every request is checked from the
# first one.  To get a key pair it lets exactly three requests through
# unchecked (POST /moto-api/reset-auth 3): iam CreateUser, CreateAccessKey
# and PutUserPolicy (secretsmanager:*); from then on every request must be
# signed with that key.  It exports:
#   MOTO_URL      http://127.0.0.1:<port>
#   MOTO_AKID     the access key id (an IAM user key, AKIA...)
#   MOTO_SECRET   its secret access key
#   MOTO_PID      the server's pid (also in $BATS_FILE_TMPDIR/moto.pid)
# A missing moto_server is a failure, not a skip.  moto_stop kills the
# server by its pid, never by name.

MOTO_SERVER=${MOTO_SERVER:-/root/.pyenv/shims/moto_server}

moto_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# moto_iam ARGS...: one unsigned IAM Query call; prints the XML reply.
moto_iam() {
	curl -sS -X POST "$MOTO_URL/" \
		-H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDBOOTSTRAP/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' \
		--data-urlencode 'Version=2010-05-08' "$@"
}

moto_start() {
	local port i log reply
	if [ ! -x "$MOTO_SERVER" ]; then
		echo "moto_server not found at $MOTO_SERVER" >&2
		return 1
	fi
	port=$(moto_free_port) || return 1
	log=$BATS_FILE_TMPDIR/moto.log
	INITIAL_NO_AUTH_ACTION_COUNT=0 "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
	MOTO_PID=$!
	echo "$MOTO_PID" >"$BATS_FILE_TMPDIR/moto.pid"
	MOTO_URL=http://127.0.0.1:$port
	export MOTO_URL MOTO_PID
	for i in $(seq 100); do
		curl -s -o /dev/null "$MOTO_URL/moto-api/" && break
		if ! kill -0 "$MOTO_PID" 2>/dev/null; then
			echo "moto_server exited:" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	[ "$i" -lt 100 ] || { echo "moto_server did not answer on $MOTO_URL" >&2; return 1; }
	curl -sS -X POST -H 'Content-Type: text/plain' --data-binary 3 \
		"$MOTO_URL/moto-api/reset-auth" >/dev/null || return 1
	moto_iam --data-urlencode Action=CreateUser --data-urlencode UserName=ninec >/dev/null || return 1
	reply=$(moto_iam --data-urlencode Action=CreateAccessKey --data-urlencode UserName=ninec) || return 1
	MOTO_AKID=$(sed -n 's:.*<AccessKeyId>\([^<]*\)</AccessKeyId>.*:\1:p' <<<"$reply")
	MOTO_SECRET=$(sed -n 's:.*<SecretAccessKey>\([^<]*\)</SecretAccessKey>.*:\1:p' <<<"$reply")
	moto_iam --data-urlencode Action=PutUserPolicy --data-urlencode UserName=ninec \
		--data-urlencode PolicyName=secrets \
		--data-urlencode 'PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","iam:*","sts:*"],"Resource":"*"}]}' >/dev/null || return 1
	if [ -z "$MOTO_AKID" ] || [ -z "$MOTO_SECRET" ]; then
		echo "moto: no access key in: $reply" >&2
		return 1
	fi
	export MOTO_AKID MOTO_SECRET
}

moto_stop() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/moto.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$BATS_FILE_TMPDIR/moto.pid"
	return 0
}

# moto_env: the environment of a test that talks to moto with the key from
# moto_start, and nothing from the user's own AWS setup.
moto_env() {
	unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
		AWS_ENDPOINT_URL_SECRETS_MANAGER AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
	export AWS_ENDPOINT_URL=$MOTO_URL
	export AWS_ACCESS_KEY_ID=$MOTO_AKID AWS_SECRET_ACCESS_KEY=$MOTO_SECRET
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_CONFIG_FILE=$BATS_TEST_TMPDIR/no-config
	export AWS_SHARED_CREDENTIALS_FILE=$BATS_TEST_TMPDIR/no-credentials
	export AWS_MAX_ATTEMPTS=2
}
