/* The unit-test contract: one test per small file, registered by constructor, run under CUnit. */
#ifndef HVFUZZ_TEST_H
#define HVFUZZ_TEST_H

#include <CUnit/CUnit.h>
#include <stdio.h>

struct unit_test {
    const char *name;
    void (*fn)(void);
    struct unit_test *next;
};
void unit_test_register(struct unit_test *t);

#define TEST(test_name)                                                                \
    static void test_name(void);                                                       \
    static struct unit_test unit_test_##test_name = { #test_name, test_name, NULL };  \
    __attribute__((constructor)) static void unit_test_reg_##test_name(void)           \
    {                                                                                  \
        unit_test_register(&unit_test_##test_name);                                    \
    }                                                                                  \
    static void test_name(void)

/* Equality that prints expression, expected and actual on failure, then keeps going. */
#define TEST_EQ(expected, actual)                                                      \
    do {                                                                               \
        long long e_ = (long long)(expected), a_ = (long long)(actual);                \
        if (e_ != a_)                                                                  \
            fprintf(stderr, "%s:%d: %s: expected %lld, actual %lld\n", __FILE__,       \
                    __LINE__, #actual, e_, a_);                                        \
        CU_ASSERT(e_ == a_);                                                           \
    } while (0)

#endif
