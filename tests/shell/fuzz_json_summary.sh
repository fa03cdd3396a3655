# hvfuzz fuzz --json ends with one summary object (programs, seconds, programs_per_s, findings,
# corpus, features, map_fill); a campaign stopped by Ctrl-C says "interrupted", not a time-out.
. "$(dirname "$0")/lib.sh"
mkdir "$T/corp" && cp corpora/native/console_io.write_short.bin "$T/corp/"
expect_rc 0 "$HVFUZZ" fuzz --runs 300 --quiet --json --out "$T/f" --corpus "$T/corp"
python3 - "$O" <<'PY' || fail "the summary is not the JSON expected"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("programs", "seconds", "programs_per_s", "findings", "corpus", "features", "map_fill"):
    assert k in d, k
assert d["programs"] == 300 and d["interrupted"] is False and 0 < d["map_fill"] < 1, d
PY
"$HVFUZZ" fuzz --time 30 --quiet --json --out "$T/f" >"$O" 2>"$E" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid" || fail "an interrupted clean campaign exited $?"
grep -q '"interrupted": true' "$O" || fail "the summary does not say interrupted"
echo "ok: fuzz --json summary, interrupted marked"
