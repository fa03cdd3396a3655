# --corpus must be a readable, writable directory, and a corpus that cannot be written (a full
# disk) ends the campaign: all exit 2 with a message naming the directory (before: silent, 0).
. "$(dirname "$0")/lib.sh"
expect_rc 2 "$HVFUZZ" fuzz --runs 10 --quiet --out "$T/f" --corpus "$T/missing"
grep -q "missing: No such file or directory" "$E" || fail "no message for a missing corpus"
: >"$T/file"
expect_rc 2 "$HVFUZZ" fuzz --runs 10 --quiet --out "$T/f" --corpus "$T/file"
grep -q "not a directory" "$E" || fail "no message for a corpus that is a file"
mkdir "$T/locked" && chmod 000 "$T/locked"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    chmod 755 "$T"
    expect_rc 2 setpriv --reuid=65534 --regid=65534 --clear-groups "$HVFUZZ" fuzz --runs 10 --quiet \
        --out "$T/f" --corpus "$T/locked"
else
    [ "$(id -u)" != 0 ] || skip "root reads every directory and setpriv is missing"
    expect_rc 2 "$HVFUZZ" fuzz --runs 10 --quiet --out "$T/f" --corpus "$T/locked"
fi
grep -q "cannot read it" "$E" || fail "no message for an unreadable corpus"
small_fs full 64k
expect_rc 2 "$HVFUZZ" fuzz --time 2 --quiet --out "$T/f" --corpus "$T/full"
grep -q "cannot save programs in the corpus .*No space left on device" "$E" ||
    fail "no message for a full corpus file system"
echo "ok: missing, file, unreadable and full corpus directories exit 2"
