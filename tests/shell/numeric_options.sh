# Every numeric option of every command rejects negative, zero where meaningless, overflowing
# and trailing-garbage values with exit 2 (strtoull took "-1" as 2^64-1 before).
. "$(dirname "$0")/lib.sh"
for args in "fuzz --time -1" "fuzz --time 0" "fuzz --runs 0" "fuzz --runs -5" \
    "fuzz --runs 18446744073709551616" "fuzz --jobs 0" "fuzz --jobs 65" "fuzz --seed -1" \
    "fuzz --time 5x" "fuzz --minimize-time -1" "fuzz --corpus-max 0" "fuzz --corpus-max-mb -1" \
    "bench --runs 0" "bench --runs -1" "bench --secs -1" "bench --secs nan" \
    "bugzoo --time -1" "bugzoo --trials 0" "bugzoo --jobs 99" "bugzoo --seed -3" \
    "replay --timeout -5 corpora/zoo/xsa224.txt" "replay --timeout 0 corpora/zoo/xsa224.txt" \
    "replay --max-steps 0 corpora/zoo/xsa224.txt" \
    "replay --max-steps 4294967296 corpora/zoo/xsa224.txt" "conform --timeout -1"; do
    # shellcheck disable=SC2086
    expect_rc 2 "$HVFUZZ" $args
done
# the file itself replays: the rows above fail on their numbers, not on a missing file
expect_rc 0 "$HVFUZZ" replay -q corpora/zoo/xsa224.txt
for args in "--time -1" "--time" "--jobs 0" "--time 99999999999" "--bogus"; do
    for s in campaign-afl campaign-libfuzzer; do
        # shellcheck disable=SC2086
        expect_rc 2 bash "tools/$s.sh" $args
    done
done
echo "ok: bad numbers are usage errors (exit 2)"
