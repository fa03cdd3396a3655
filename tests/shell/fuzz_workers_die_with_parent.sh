# kill -9 of a campaign takes its workers with it (PR_SET_PDEATHSIG): before, both workers kept
# spinning past --time with nobody to stop them.
. "$(dirname "$0")/lib.sh"
"$HVFUZZ" fuzz --jobs 2 --time 60 --quiet --out "$T/f" >/dev/null 2>&1 &
parent=$!
sleep 1
workers=$(cat /proc/$parent/task/*/children 2>/dev/null)
[ -n "$workers" ] || fail "no workers under the campaign $parent"
kill -9 "$parent"
wait "$parent" 2>/dev/null
sleep 1
for w in $workers; do gone "$w" || fail "worker $w still runs after its parent was killed"; done
echo "ok: workers $workers died with their parent"
