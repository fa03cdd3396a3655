/* hvfuzz bugzoo: the bug zoo's registry and the effectiveness benchmark over it. */
#include <stdio.h>
#include <stdlib.h>

#include "hvfuzz/bugzoo.h"
#include "hvfuzz/tools.h"

int cmd_bugzoo_main(int argc, char **argv)
{
    struct bz_opts o;
    struct bz_trial *t = NULL;
    size_t n = 0;
    bool all = true;
    int rc = bz_parse_args(argc, argv, &o);

    if (rc)
        return rc == 1 ? 0 : 2;
    if (o.list) {
        bz_print_list(stdout, o.json);
        return 0;
    }
    rc = bz_run(&o, &t, &n);
    if (rc < 0)
        return 2;
    if (o.json)
        bz_print_json(stdout, &o, t, n);
    else
        bz_print_table(stdout, &o, t, n);
    /* the control run must stay clean; every zoo bug must be found by some generator */
    for (unsigned b = 0; b < HV_BUG_NR; b++) {
        if (!(o.bugs >> b & 1))
            continue;
        if (b == HV_BUG_NONE) {
            for (size_t i = 0; i < n; i++)
                if (t[i].bug == HV_BUG_NONE && t[i].found)
                    all = false;
        } else if (!bz_bug_found(&o, t, n, b)) {
            all = false;
        }
    }
    free(t);
    return rc > 0 ? 2 : all ? 0 : 1;
}
