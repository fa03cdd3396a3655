/* Program files: save + load round trip in both forms, and I/O errors that keep errno. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * Corpus and regression files are written by concurrent fuzzers: a save must never leave a
 * half-written file or a stray temp file behind, and a failed load must say why (errno).
 */
static unsigned prog_fio_entries(const char *dir)
{
    DIR *d = opendir(dir);
    unsigned n = 0;

    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

TEST(prog_file_io)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char dir[] = "/tmp/hvfuzz-prog-XXXXXX", bin[64], txt[64], bad[96];
    uint8_t in[300];

    CU_ASSERT_FATAL(p && q && mkdtemp(dir));
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 37 + 11);
    prog_from_fuzz(p, in, sizeof(in));
    snprintf(bin, sizeof(bin), "%s/a.bin", dir);
    snprintf(txt, sizeof(txt), "%s/a.txt", dir);

    TEST_EQ(PROG_OK, prog_save(p, bin));
    TEST_EQ(PROG_OK, prog_load(q, bin));
    CU_ASSERT(prog_equal(p, q));
    TEST_EQ(PROG_OK, prog_save(p, txt));
    TEST_EQ(PROG_OK, prog_load(q, txt));
    CU_ASSERT(prog_equal(p, q));
    /* Overwrite in place: the old file is replaced whole. */
    TEST_EQ(PROG_OK, prog_save(q, bin));
    TEST_EQ(2, prog_fio_entries(dir));

    /* A file that is not a program at all. */
    FILE *f = fopen(txt, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs("\x7f" "ELF\x02\x01", f);
    fputc(0, f);
    fclose(f);
    TEST_EQ(PROG_E_MAGIC, prog_load(q, txt));
    f = fopen(txt, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    TEST_EQ(PROG_E_EMPTY, prog_load(q, txt));

    errno = 0;
    snprintf(bad, sizeof(bad), "%s/missing", dir);
    TEST_EQ(PROG_E_IO, prog_load(q, bad));
    TEST_EQ(ENOENT, errno);
    errno = 0;
    TEST_EQ(PROG_E_IO, prog_load(q, dir));      /* a directory: read fails with EISDIR */
    TEST_EQ(EISDIR, errno);

    errno = 0;
    snprintf(bad, sizeof(bad), "%s/no/such/dir.bin", dir);
    TEST_EQ(PROG_E_IO, prog_save(p, bad));
    TEST_EQ(ENOENT, errno);
    /* Renaming onto a directory fails after the temp is written: it must be cleaned up. */
    snprintf(bad, sizeof(bad), "%s/subXXXXXX", dir);
    CU_ASSERT_FATAL(mkdtemp(bad) != NULL);
    errno = 0;
    TEST_EQ(PROG_E_IO, prog_save(p, bad));
    TEST_EQ(EISDIR, errno);
    TEST_EQ(3, prog_fio_entries(dir));

    /* An invalid program is refused before any file is touched. */
    q->shape.nr_domains = 0;
    TEST_EQ(PROG_E_CORRUPT, prog_save(q, bin));

    remove(bin);
    remove(txt);
    rmdir(bad);
    rmdir(dir);
    free(p);
    free(q);
}
