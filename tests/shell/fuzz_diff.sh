# hvfuzz fuzz --diff A,B: the native target against itself is a clean campaign that compares every
# op (counted in the --json summary and the final status line); bad --diff values are usage errors.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HVFUZZ" fuzz --diff native,native --runs 2000 --seed 1 --quiet --json --out "$T/f"
python3 - "$O" <<'PY' || fail "the summary is not the JSON expected"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["programs"] == 2000 and d["findings"] == 0, d
assert d["diff_targets"] == "native,native", d
assert d["diff_ops_compared"] > 0 and d["diff_ops_not_compared"] == 0, d
PY
grep -q "^diff native/native: [1-9][0-9]* ops compared, 0 not compared" "$E" ||
    { cat "$E" >&2; fail "no diff status line"; }
[ ! -e "$T/f" ] || fail "a clean campaign wrote findings: $(ls "$T/f")"
for args in "--diff native" "--diff native,nosuchtarget" "--diff nosuchtarget,native" \
    "--diff native,native,native" "--diff ,native" "--target nosuchtarget --diff native,native" \
    "--target unicorn --diff native,native"; do
    # shellcheck disable=SC2086
    expect_rc 2 "$HVFUZZ" fuzz --runs 10 --out "$T/f" $args
done
# --target naming the second side is the same campaign (fuzz --target xen --diff native,xen)
expect_rc 0 "$HVFUZZ" fuzz --target unicorn --diff native,unicorn --runs 50 --seed 1 --quiet --json \
    --out "$T/f2"
grep -q '"diff_targets": "native,unicorn"' "$O" || fail "--target B --diff A,B is not the A,B campaign"
echo "ok: fuzz --diff native,native is clean and counts the ops it compares; bad --diff exits 2"
