#!/usr/bin/env bash
# AFL++ parallel campaign on one host: one -M and N-1 -S instances, one shared output, a time bound, a crash gate.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: tools/campaign-afl.sh [options]

Runs an AFL++ parallel campaign of one harness: instance "main" with -M, the others with -S
(every third secondary with the CmpLog binary), all sharing one output directory, for a fixed
time. AFL++ 4.04c exits 0 even after saving crashes, so the gate reads saved_crashes and
saved_hangs from every fuzzer_stats and counts the files in crashes/ and hangs/.

  -H, --harness NAME   harness in fuzz/harness/ (default native)
  -j, --jobs N         fuzzer instances, one per core (default: number of cores)
  -t, --time SEC       campaign length in seconds (default 600)
  -i, --input DIR      seed corpus (default corpora/NAME)
  -o, --output DIR     shared AFL++ output directory (default out/afl-NAME); resumed if present
  -x, --dict FILE      dictionary (default fuzz/harness/NAME.dict if it exists)
  -T, --exec-timeout MS  afl-fuzz -t per execution (default 500+: 500 ms, seeds slower than
                       that skipped). Without it AFL++ derives ~20 ms from calibration, which a
                       loaded machine overruns: every overrun restarts the target, which rebuilds
                       its machines, and the rate fell to ~100 exec/s. A program takes well under
                       10 ms; the monitor's step bound ends runaway ones as findings
  -b, --build          run 'make fuzz-afl' first
  -q, --quiet          no status line (else one every second on a terminal, every 30 s in logs)
  -h, --help           show this help

Environment: AFL_* variables pass through (AFL_SKIP_CPUFREQ=1, AFL_NO_UI=1 and
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 are set when unset); HVFUZZ_BUGS selects zoo bugs.
Exit status: 0 no crash or hang, 1 crashes or hangs found (listed), 2 usage or set-up error.
Across hosts: run one -M host, make the others secondaries and rsync out/*/main* between them.
EOF
}

harness=native
jobs=$(nproc)
secs=600
input=
output=
dict=
exec_timeout=500+
build=0
quiet=0
# an option's value: present, else a usage error (exit 2, not bash's 1 of ${2:?})
val() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "campaign-afl: $1 needs a value" >&2; usage >&2; exit 2; }; }
# a whole number in lo..hi, digits only (no sign, no overflow of the shell's arithmetic)
num() {
    case "$2" in ''|*[!0-9]*) ;; *)
        if [ ${#2} -le 9 ] && [ $((10#$2)) -ge "$3" ] && [ $((10#$2)) -le "$4" ]; then return 0; fi ;;
    esac
    echo "campaign-afl: bad value '$2' for $1 (a whole number, $3..$4)" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
    -H|--harness) val "$@"; harness=$2; shift 2 ;;
    -j|--jobs) val "$@"; jobs=$2; shift 2 ;;
    -t|--time) val "$@"; secs=$2; shift 2 ;;
    -i|--input) val "$@"; input=$2; shift 2 ;;
    -o|--output) val "$@"; output=$2; shift 2 ;;
    -x|--dict) val "$@"; dict=$2; shift 2 ;;
    -T|--exec-timeout) val "$@"; exec_timeout=$2; shift 2 ;;
    -b|--build) build=1; shift ;;
    -q|--quiet) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "campaign-afl: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
num --jobs "$jobs" 1 1024
num --time "$secs" 1 31536000
jobs=$((10#$jobs))
secs=$((10#$secs))
case "$exec_timeout" in
[1-9]*) case "${exec_timeout%+}" in *[!0-9]*) exec_timeout=bad ;; esac ;;
*) exec_timeout=bad ;;
esac
[ "$exec_timeout" != bad ] || { echo "campaign-afl: --exec-timeout wants milliseconds, optionally with a trailing + (e.g. 500+)" >&2; exit 2; }

cd "$(dirname "$0")/.."
input=${input:-corpora/$harness}
output=${output:-out/afl-$harness}
[ -n "$dict" ] || { [ -f "fuzz/harness/$harness.dict" ] && dict=fuzz/harness/$harness.dict; } || true
bin=build/fuzz/$harness-afl
cmplog=build/fuzz/$harness-afl-cmplog

command -v afl-fuzz >/dev/null || { echo "campaign-afl: afl-fuzz not found (make deps)" >&2; exit 2; }
[ "$build" = 0 ] || make --no-print-directory fuzz-afl
[ -x "$bin" ] || { echo "campaign-afl: $bin missing: run 'make fuzz-afl' or pass --build" >&2; exit 2; }
[ -d "$input" ] && [ -n "$(ls -A "$input")" ] || { echo "campaign-afl: no seeds in $input" >&2; exit 2; }

export AFL_SKIP_CPUFREQ=${AFL_SKIP_CPUFREQ:-1}
export AFL_NO_UI=${AFL_NO_UI:-1}
# a core_pattern that pipes to a helper delays crash detection; AFL refuses to start unless told
if [ "$(cat /proc/sys/kernel/core_pattern 2>/dev/null)" != core ]; then
    export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=${AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES:-1}
fi
# the harness aborts on a finding; sanitizers must abort too so AFL sees a crash
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=0:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

mkdir -p "$output"
# resuming an existing output directory instead of refusing it
[ -d "$output/main" ] && input=-
dictargs=()
[ -z "$dict" ] || dictargs=(-x "$dict")

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for n in $(seq 0 $((jobs - 1))); do
    if [ "$n" = 0 ]; then
        role=(-M main)
        name=main
    else
        name=sec$n
        role=(-S "$name")
    fi
    extra=()
    # CmpLog on the main and every third secondary: it costs speed where it runs
    if [ -x "$cmplog" ] && [ $((n % 3)) = 0 ]; then extra=(-c "$cmplog"); fi
    afl-fuzz "${role[@]}" -i "$input" -o "$output" -V "$secs" -t "$exec_timeout" "${dictargs[@]}" "${extra[@]}" \
        -- "$bin" >"$output/$name.log" 2>&1 &
    pids+=($!)
done
echo "campaign-afl: $jobs instance(s) of $bin for ${secs}s into $output (logs: $output/*.log)"

# the status line: AFL++ runs without its UI, so the campaign says how it goes
stat_sum() {
    awk -F' *: *' -v k="$1" '$1==k {s += $2} END {printf "%d", s}' "$output"/*/fuzzer_stats 2>/dev/null || echo 0
}
if [ "$quiet" = 0 ]; then
    if [ -t 2 ]; then every=1; else every=30; fi
    t0=$(date +%s)
    while :; do
        alive=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ "$alive" = 1 ] || break
        sleep "$every"
        line="campaign-afl: [$(( $(date +%s) - t0 ))s/${secs}s] execs $(stat_sum execs_done), $(stat_sum execs_per_sec) exec/s, crashes $(stat_sum saved_crashes), hangs $(stat_sum saved_hangs), corpus $(stat_sum corpus_count)"
        if [ -t 2 ]; then printf '\r\033[K%s' "$line" >&2; else echo "$line" >&2; fi
    done
    [ ! -t 2 ] || printf '\r\033[K' >&2
fi

status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
pids=()
trap - EXIT INT TERM

# the gate: AFL++'s own exit status says nothing about crashes
crashes=0
hangs=0
execs=0
for stats in "$output"/*/fuzzer_stats; do
    [ -f "$stats" ] || continue
    dir=$(dirname "$stats")
    c=$(awk -F' *: *' '$1=="saved_crashes"{print $2}' "$stats")
    h=$(awk -F' *: *' '$1=="saved_hangs"{print $2}' "$stats")
    e=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
    s=$(awk -F' *: *' '$1=="execs_per_sec"{print $2}' "$stats")
    d=$(awk -F' *: *' '$1=="bitmap_cvg"{print $2}' "$stats")
    # a resumed instance moves earlier finds to crashes.<date>/ and hangs.<date>/: they count too
    fc=$(find "$dir" -path "$dir/crashes*/id:*" -type f 2>/dev/null | wc -l)
    fh=$(find "$dir" -path "$dir/hangs*/id:*" -type f 2>/dev/null | wc -l)
    [ "${c:-0}" -ge "$fc" ] || c=$fc
    [ "${h:-0}" -ge "$fh" ] || h=$fh
    echo "  $(basename "$dir"): execs ${e:-0}, ${s:-0} exec/s, map density ${d:-?}, crashes ${c:-0}, hangs ${h:-0}"
    crashes=$((crashes + ${c:-0}))
    hangs=$((hangs + ${h:-0}))
    execs=$((execs + ${e:-0}))
done
if [ "$execs" = 0 ]; then
    echo "campaign-afl: no instance ran (afl-fuzz status $status); see $output/*.log" >&2
    exit 2
fi
echo "campaign-afl: $execs executions, $crashes crash(es), $hangs hang(s)"
if [ $((crashes + hangs)) -gt 0 ]; then
    find "$output" -path '*/crashes*/id:*' -o -path '*/hangs*/id:*' | sort
    echo "campaign-afl: FAILED: replay with build/fuzz/$harness-replay FILE (names contain ':': tar them for CI)" >&2
    exit 1
fi
exit 0
