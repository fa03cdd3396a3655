/* Whole-buffer reads and writes on file descriptors, retried across EINTR and short transfers. */
#ifndef HVFUZZ_IO_H
#define HVFUZZ_IO_H

#include <stddef.h>

/* 0 when all len bytes went through; -1 with errno set otherwise (end of file: errno 0). */
int io_write_all(int fd, const void *buf, size_t len);
int io_read_full(int fd, void *buf, size_t len);

#endif
