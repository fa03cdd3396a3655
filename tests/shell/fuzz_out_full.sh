# A finding that cannot be stored (a full --out) is printed on stderr, report and program, and
# the campaign exits 2, not 1: the finding is not lost. The zoo's reproducer of XSA-148 as the
# only seed makes the finding come at once.
. "$(dirname "$0")/lib.sh"
small_fs fo 64k
dd if=/dev/zero of="$T/fo/fill" bs=4k 2>/dev/null
mkdir "$T/corp" && cp corpora/zoo/xsa148.txt "$T/corp/"
expect_rc 2 "$HVFUZZ" fuzz --time 20 --jobs 1 --quiet --bug xsa148 --minimize-time 0 \
    --corpus "$T/corp" --out "$T/fo"
grep -q "could not be written to .*No space left on device; its report:" "$E" ||
    fail "no message for a full --out"
grep -q "^signature: audit" "$E" && grep -q "hypercall d" "$E" ||
    fail "the finding's report and program are not on stderr"
echo "ok: a full --out exits 2 with the finding on stderr"
