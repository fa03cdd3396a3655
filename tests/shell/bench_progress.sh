# hvfuzz bench says how far it is on stderr (--progress; a terminal gets it by default), and its
# JSON carries a format_version.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HVFUZZ" bench --runs 1 --secs 0.02 --progress --json
grep -q "^bench: figure 1 done" "$E" || fail "no progress lines on stderr"
grep -q '"format_version": 1' "$O" || fail "no format_version in the JSON"
expect_rc 0 "$HVFUZZ" bench --runs 1 --secs 0.02
[ ! -s "$E" ] || fail "progress without --progress on a file"
echo "ok: bench progress and format_version"
