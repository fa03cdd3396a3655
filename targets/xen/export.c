/* hvfuzz export --target xen: a reproducer a Xen developer runs without hvfuzz (agent, Xen, the program, a script). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"

static int xen_export_copy(const char *from, const char *dir, const char *name, char *err,
                           size_t cap)
{
    char to[1024], buf[65536];
    FILE *in = fopen(from, "rb"), *out;
    size_t n;

    snprintf(to, sizeof(to), "%s/%s", dir, name);
    out = in ? fopen(to, "wb") : NULL;
    if (!in || !out) {
        snprintf(err, cap, "%s: %s", in ? to : from, strerror(errno));
        if (in)
            fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            break;
    int bad = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0 || bad) {
        snprintf(err, cap, "%s: write failed", to);
        return -1;
    }
    return 0;
}

static void xen_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The module: the one program, run at boot, then the agent shuts Xen down (no serving). */
static int xen_export_module(const struct prog *p, const char *dir, char *err, size_t cap)
{
    size_t n = prog_encoded_size(p);
    uint8_t *m = n ? malloc(20 + n) : NULL;
    char path[1024];

    if (!m || prog_encode(p, m + 20, n) != n) {
        free(m);
        snprintf(err, cap, "the program does not encode");
        return -1;
    }
    xen_put32(m, XP_MAGIC);
    xen_put32(m + 4, 0);
    xen_put32(m + 8, 1);
    xen_put32(m + 12, 0);
    xen_put32(m + 16, (uint32_t)n);
    snprintf(path, sizeof(path), "%s/programs.bin", dir);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(m, 1, 20 + n, f) == 20 + n;
    if (f && fclose(f) != 0)
        ok = 0;
    free(m);
    if (!ok) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int xen_export_script(const char *dir, char *err, size_t cap)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/run.sh", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "#!/bin/sh\n"
               "# A reproducer written by hvfuzz export (docs/XEN.md): Debian's Xen 4.17 (xen.elf)\n"
               "# under QEMU with the hvfuzz agent as dom0 (agent.elf), which runs the program in\n"
               "# programs.bin (program.txt is its text) and shuts the machine down. Each op's\n"
               "# result is a line 'HVR <program> <op> <status> <fault> <pfec> <rc> <value>' (hex;\n"
               "# status 0 ran, 3 unsupported; fault ff none); 'HVE' ends the program.\n"
               "cd \"$(dirname \"$0\")\" || exit 1\n"
               "exec qemu-system-x86_64");
    for (unsigned i = 0; i < XEN_QEMU_NR_OPTS; i++)
        fprintf(f, " %s", xen_qemu_opts[i]);
    fprintf(f, " \\\n    -kernel xen.elf -initrd \"agent.elf,programs.bin\" -append \"%s\"\n",
            xen_append());
    if (fclose(f) != 0 || chmod(path, 0755) != 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int xen_export(const struct prog *p, const char *dir, char *err, size_t cap)
{
    struct xen_conf c;
    char path[1024];

    if (xen_conf_find(&c, err, cap) < 0)
        return -1;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, cap, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (xen_export_copy(c.agent, dir, "agent.elf", err, cap) < 0 ||
        xen_export_copy(c.xen_elf, dir, "xen.elf", err, cap) < 0 ||
        xen_export_module(p, dir, err, cap) < 0 || xen_export_script(dir, err, cap) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/program.txt", dir);
    if (prog_save(p, path) != PROG_OK) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
