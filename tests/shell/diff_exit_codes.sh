# hvfuzz diff's exit statuses: 0 when the targets agree (the conformance corpus on native twice),
# 2 for an unknown target, a missing file, a malformed --targets and no file at all.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HVFUZZ" diff --targets native,native corpora/conformance
grep -q "^diffed [1-9][0-9]* programs on native and native: [1-9][0-9]* ops compared, 0 not compared, 0 differences, 0 bad files$" "$O" ||
    { cat "$O" >&2; fail "no clean summary for corpora/conformance"; }
expect_rc 2 "$HVFUZZ" diff --targets native,nosuchtarget corpora/conformance
grep -q "unknown target 'nosuchtarget'" "$E" || fail "the unknown target is not named: $(cat "$E")"
expect_rc 2 "$HVFUZZ" diff --targets native,native "$T/missing.bin"
grep -q "missing.bin: No such file or directory" "$E" || fail "the missing file is not named: $(cat "$E")"
for args in "--targets native corpora/conformance" "--targets native,native,native corpora/zoo" \
    "--targets ,native corpora/zoo" "corpora/zoo" "--targets native,native"; do
    # shellcheck disable=SC2086
    expect_rc 2 "$HVFUZZ" diff $args
done
echo "ok: diff exits 0 on agreeing targets, 2 on usage errors and bad files"
