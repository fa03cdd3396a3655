# Workers stop at --time by themselves: a parent that cannot tell them (stopped here) does not
# keep them running.
. "$(dirname "$0")/lib.sh"
"$HVFUZZ" fuzz --jobs 2 --time 2 --quiet --out "$T/f" >/dev/null 2>&1 &
parent=$!
sleep 0.5
workers=$(cat /proc/$parent/task/*/children 2>/dev/null)
[ -n "$workers" ] || fail "no workers under the campaign $parent"
kill -STOP "$parent"
sleep 4
for w in $workers; do
    gone "$w" || { kill -CONT "$parent"; fail "worker $w runs past --time 2 while its parent is stopped"; }
done
kill -CONT "$parent"
wait "$parent" || fail "the campaign exited $? after its workers stopped on time"
echo "ok: workers stopped at --time with their parent stopped"
