# A campaign clears the .tmp-* entries an interrupted writer left in --out (and --corpus), and
# keeps those of a writer that still runs.
. "$(dirname "$0")/lib.sh"
sh -c 'exit 0' & dead=$!
wait "$dead"
mkdir -p "$T/fo/.tmp-00000000deadbeef-$dead" "$T/fo/.tmp-00000000cafef00d-$$" "$T/corp"
: >"$T/fo/.tmp-00000000deadbeef-$dead/report.txt"
: >"$T/corp/.tmp-00000000deadbeef-$dead"
expect_rc 0 "$HVFUZZ" fuzz --runs 20 --quiet --out "$T/fo" --corpus "$T/corp"
[ ! -e "$T/fo/.tmp-00000000deadbeef-$dead" ] || fail "a dead writer's .tmp-* stays in --out"
[ ! -e "$T/corp/.tmp-00000000deadbeef-$dead" ] || fail "a dead writer's .tmp-* stays in --corpus"
[ -d "$T/fo/.tmp-00000000cafef00d-$$" ] || fail "a live writer's .tmp-* was removed"
echo "ok: leftover .tmp-* cleared, a live one kept"
