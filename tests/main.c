/* The unit-test runner: every TEST() registered by constructor, one CUnit suite, basic interface. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include "test.h"

/* Constructors run before main, in link order; the list is kept sorted by name so runs are stable. */
static struct unit_test *unit_tests;

void unit_test_register(struct unit_test *t)
{
    struct unit_test **p = &unit_tests;
    while (*p && strcmp((*p)->name, t->name) < 0)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
}

static void unit_usage(const char *prog)
{
    fprintf(stderr, "usage: %s [-l] [name-substring]\n"
                    "  -l  list the tests and exit\n", prog);
}

int main(int argc, char **argv)
{
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-l")) {
            for (struct unit_test *t = unit_tests; t; t = t->next)
                printf("%s\n", t->name);
            return 0;
        }
        if (argv[i][0] == '-' || filter) {
            unit_usage(argv[0]);
            return 2;
        }
        filter = argv[i];
    }

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    CU_pSuite suite = CU_add_suite("hvfuzz", NULL, NULL);
    if (!suite) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    unsigned added = 0;
    for (struct unit_test *t = unit_tests; t; t = t->next) {
        if (filter && !strstr(t->name, filter))
            continue;
        if (!CU_add_test(suite, t->name, t->fn)) {
            fprintf(stderr, "CUnit: %s: %s\n", t->name, CU_get_error_msg());
            CU_cleanup_registry();
            return 2;
        }
        added++;
    }
    if (filter && added == 0) {
        fprintf(stderr, "no test matches '%s'\n", filter);
        CU_cleanup_registry();
        return 2;
    }

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    /* a test passes when none of its assertions failed */
    unsigned run = CU_get_number_of_tests_run();
    unsigned failed = CU_get_number_of_tests_failed();
    printf("\n%u passed, %u failed\n", run - failed, failed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
