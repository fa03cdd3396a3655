/* Whole-buffer reads and writes on file descriptors, and an snprintf-like sink over one buffer. */
#ifndef HVFUZZ_IO_H
#define HVFUZZ_IO_H

#include <stddef.h>
#include <stdio.h>

/* 0 when all len bytes went through; -1 with errno set otherwise (end of file: errno 0). */
int io_write_all(int fd, const void *buf, size_t len);
int io_read_full(int fd, void *buf, size_t len);

/*
 * Text built in one buffer with snprintf semantics: len counts everything printed, even past
 * cap, so a first pass with cap 0 sizes the buffer; the text stays NUL-terminated within cap.
 */
struct io_buf {
    char  *buf;
    size_t cap, len;
};
void io_printf(struct io_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s as a JSON string, quoted and escaped (the JSON summaries of bugzoo and diff). */
void io_json_str(FILE *f, const char *s);

#endif
