/*
 * The stream holds a page sent as it is by reference until its frame's next write: whatever
 * happens to the frame after the send, the stream must read as if the page had been copied then.
 * Each row sends dom1's data pages (begin, maybe a round), writes some of their frames through
 * the monitor's write choke point before or after, and compares the stream with the contents
 * each page had when last sent.
 */
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/migrate.h"

#define ML_PFN (AU_DATA_GFN + 5U)

static const struct {
    const char *name;
    bool write_after_begin;     /* the frame changes after begin sent it */
    bool round;                 /* then a round (which sends the changed page again) */
    bool write_after_round;     /* and changes again after it */
} ml_rows[] = {
    { "sent, never written", false, false, false },
    { "written after the send", true, false, false },
    { "written, sent again, written", true, true, true },
    { "sent again unchanged, then written", false, true, true },
};

static void ml_write(struct hv *hv, uint8_t v)
{
    memset(frame_mem_w(hv, au_mfn(hv, 1, ML_PFN)) + 100, v, 64);
}

TEST(migrate_lazy)
{
    static uint8_t want[PAGE_SIZE];
    struct mig_report rep;

    for (size_t i = 0; i < sizeof(ml_rows) / sizeof(ml_rows[0]); i++) {
        struct hv *hv = au_machine();
        if (!hv)
            return;
        TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
        memcpy(want, frame_mem(hv, au_mfn(hv, 1, ML_PFN)), PAGE_SIZE);
        if (ml_rows[i].write_after_begin)
            ml_write(hv, 0x5a);
        if (ml_rows[i].round) {
            TEST_EQ(0, mig_op(hv, 1, MIGRATE_ROUND, &rep) < 0);
            memcpy(want, frame_mem(hv, au_mfn(hv, 1, ML_PFN)), PAGE_SIZE);
        }
        if (ml_rows[i].write_after_round)
            ml_write(hv, 0xa5);
        mig_stream_fill(hv);
        const uint8_t *got = hv->mig_stream->s.data + (size_t)ML_PFN * PAGE_SIZE;
        int diff = memcmp(want, got, PAGE_SIZE);
        fprintf(stderr, "%s: expected the page as last sent, actual %s\n", ml_rows[i].name,
                diff ? "other contents" : "the same");
        TEST_EQ(0, diff);
        hv_destroy(hv);
    }
}
