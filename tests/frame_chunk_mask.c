/*
 * frame_chunk_mask names the 256-byte chunks a ranged write touches: the native reset copies back
 * only those, so a range must never lose its last chunk, and an empty range or one leaving the
 * frame must mark the whole frame (a caller's slip then costs a copy, never a missed byte).
 */
#include "hvfuzz/monitor.h"
#include "test.h"

static const struct {
    size_t off, len;
    uint16_t mask;
} chunk_cases[] = {
    { 0, 1, 0x0001 },
    { 255, 1, 0x0001 },
    { 255, 2, 0x0003 },
    { 256, 256, 0x0002 },
    { 256, 257, 0x0006 },
    { 800, 8, 0x0008 },
    { 4095, 1, 0x8000 },
    { 4088, 8, 0x8000 },
    { 0, PAGE_SIZE, FRAME_CHUNKS_ALL },
    { 1, PAGE_SIZE - 1, FRAME_CHUNKS_ALL },
    { 100, 0, FRAME_CHUNKS_ALL },
    { 4090, 12, FRAME_CHUNKS_ALL },
    { PAGE_SIZE, 1, FRAME_CHUNKS_ALL },
    { 8, SIZE_MAX, FRAME_CHUNKS_ALL },
};

TEST(frame_chunk_mask_cases)
{
    for (size_t i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
        uint16_t got = frame_chunk_mask(chunk_cases[i].off, chunk_cases[i].len);
        if (got != chunk_cases[i].mask)
            fprintf(stderr, "frame_chunk_mask(%zu, %zu): expected 0x%04x, actual 0x%04x\n",
                    chunk_cases[i].off, chunk_cases[i].len, chunk_cases[i].mask, got);
        CU_ASSERT(got == chunk_cases[i].mask);
    }
}
