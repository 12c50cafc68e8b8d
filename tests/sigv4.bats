#!/usr/bin/env bats
# AWS Signature Version 4 through `9c-secrets sign', against the AWS SigV4
# test suite in $SHARED/corpus/sigv4 (34 cases).

load helpers/common

SUITE=$SHARED/corpus/sigv4
STS_TOKEN='AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=='

setup() {
	unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_DEFAULT_REGION
	export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
	export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
	export AWS_REGION=us-east-1
	export AWS_CONFIG_FILE=$BATS_TEST_TMPDIR/none AWS_SHARED_CREDENTIALS_FILE=$BATS_TEST_TMPDIR/none
}

@test "every case of the SigV4 test suite is signed byte for byte" {
	local req c name part n=0 flags want
	while IFS= read -r req; do
		c=${req%.req}
		name=${c#"$SUITE"/}
		name=${name%/*}
		flags=()
		unset AWS_SESSION_TOKEN
		case $name in
		get-vanilla-with-session-token)
			# The token comes from the credentials, not the request.
			export AWS_SESSION_TOKEN=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267 ;;
		post-sts-token/post-sts-header-after)
			# Added after signing, so left out of the signature.
			export AWS_SESSION_TOKEN=$STS_TOKEN
			flags=(-U) ;;
		esac
		for part in creq sts authz sreq; do
			9c-secrets sign "${flags[@]}" -S service -x "$part" "$req" \
				>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" ||
				fail "$name: sign -x $part exited $?: $(cat "$BATS_TEST_TMPDIR/err")"
			want=$c.$part
			if [ "$name.$part" = get-vanilla-with-session-token.sreq ]; then
				# The suite's .sreq carries get-vanilla's signature
				# (a known flaw); the .authz is right.
				want=$BATS_TEST_TMPDIR/want
				sed "s/^Authorization: .*/Authorization: $(sed 's:/:\\/:g' "$c.authz")/" \
					"$c.sreq" >"$want"
			fi
			cmp -s "$BATS_TEST_TMPDIR/out" "$want" ||
				fail "$name: $part differs: $(diff "$BATS_TEST_TMPDIR/out" "$want")"
		done
		n=$((n + 1))
	done < <(find "$SUITE" -name '*.req' | sort)
	assert_equal "$n" 34
}

@test "the suite's flawed signed request differs only in the signature" {
	local c=$SUITE/get-vanilla-with-session-token/get-vanilla-with-session-token
	export AWS_SESSION_TOKEN=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267
	run -0 9c-secrets sign -S service -x sreq "$c.req"
	assert_line "Authorization: $(cat "$c.authz")"
	refute_line "$(tail -n 1 "$c.sreq")"
}

@test "the default output shows the canonical request, the string to sign and the signed request" {
	local c=$SUITE/get-vanilla/get-vanilla
	run -0 9c-secrets sign -S service "$c.req"
	assert_equal "$output" "# canonical request
$(cat "$c.creq")
# string to sign
$(cat "$c.sts")
# signed request
$(cat "$c.sreq")"
}

@test "a request without X-Amz-Date is signed at the time given with -t" {
	printf 'GET / HTTP/1.1\nHost:example.amazonaws.com\n' >"$BATS_TEST_TMPDIR/req"
	run -0 9c-secrets sign -S service -t 20150830T123600Z -x authz "$BATS_TEST_TMPDIR/req"
	assert_equal "$output" "$(cat "$SUITE/get-vanilla/get-vanilla.authz")"
	run -0 9c-secrets sign -S service -t 20150830T123600Z -x sreq "$BATS_TEST_TMPDIR/req"
	assert_equal "$output" "$(cat "$SUITE/get-vanilla/get-vanilla.sreq")"
}

@test "the request is read from standard input and credentials from a profile" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	printf '[suite]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n' \
		>"$BATS_TEST_TMPDIR/credentials"
	chmod 600 "$BATS_TEST_TMPDIR/credentials"
	export AWS_SHARED_CREDENTIALS_FILE=$BATS_TEST_TMPDIR/credentials AWS_PROFILE=suite
	run -0 9c-secrets sign -S service -x authz <"$SUITE/post-vanilla/post-vanilla.req"
	assert_equal "$output" "$(cat "$SUITE/post-vanilla/post-vanilla.authz")"
}

@test "the secret key is never printed" {
	run -0 9c-secrets sign -S service "$SUITE/post-x-www-form-urlencoded/post-x-www-form-urlencoded.req"
	refute_output --partial "$AWS_SECRET_ACCESS_KEY"
}

@test "a request that is not HTTP is bad input" {
	printf 'hello\n' >"$BATS_TEST_TMPDIR/req"
	run -3 --separate-stderr 9c-secrets sign "$BATS_TEST_TMPDIR/req"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/req: line 1: expected a request line like 'GET / HTTP/1.1'"
	assert_equal "$output" ""
}

@test "a header line without a colon is bad input" {
	printf 'GET / HTTP/1.1\nHost example.com\n' | {
		run -3 --separate-stderr 9c-secrets sign
		assert_equal "$stderr" "9c-secrets: <stdin>: expected a header line 'Name: value'"
	}
}

@test "a request without Host cannot be signed" {
	printf 'GET / HTTP/1.1\nX-Amz-Date:20150830T123600Z\n' >"$BATS_TEST_TMPDIR/req"
	run -3 --separate-stderr 9c-secrets sign "$BATS_TEST_TMPDIR/req"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/req: the request has no Host header"
}

@test "a -t that disagrees with the request's X-Amz-Date is refused" {
	run -3 --separate-stderr 9c-secrets sign -t 20150830T123601Z "$SUITE/get-vanilla/get-vanilla.req"
	assert_equal "$stderr" "9c-secrets: -t 20150830T123601Z differs from the request's X-Amz-Date 20150830T123600Z"
}

@test "a malformed time is refused" {
	printf 'GET / HTTP/1.1\nHost:example.amazonaws.com\n' >"$BATS_TEST_TMPDIR/req"
	run -3 --separate-stderr 9c-secrets sign -t 2015-08-30 "$BATS_TEST_TMPDIR/req"
	assert_equal "$stderr" "9c-secrets: '2015-08-30' is not a time like 20150830T123600Z"
}

@test "an unknown part is a usage error" {
	run -2 --separate-stderr 9c-secrets sign -x body "$SUITE/get-vanilla/get-vanilla.req"
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: -x: expected creq, sts, authz, sreq or all, not 'body'"
}

@test "signing without credentials fails as an authentication problem" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	run -4 --separate-stderr 9c-secrets sign "$SUITE/get-vanilla/get-vanilla.req"
	assert_equal "$stderr" "9c-secrets: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile 'default' keys in $BATS_TEST_TMPDIR/none"
}

@test "a missing request file is bad input" {
	run -3 --separate-stderr 9c-secrets sign "$BATS_TEST_TMPDIR/nope.req"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/nope.req: No such file or directory"
}
