/* Minimal test helpers for the C tests of libsv2. Each program ends with the line
 * "N passed, N failed" and exits non-zero if anything failed. */
#ifndef SV2_TEST_CHECK_H
#define SV2_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "sv2.h"

static int check_passed;
static int check_failed;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            check_passed++;                                                           \
        } else {                                                                      \
            check_failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

/* Checks that an expression returns the expected sv2_result. */
#define CHECK_RC(expr, expected)                                                             \
    do {                                                                                     \
        sv2_result check_rc_ = (expr);                                                       \
        if (check_rc_ == (sv2_result)(expected)) {                                           \
            check_passed++;                                                                  \
        } else {                                                                             \
            check_failed++;                                                                  \
            fprintf(stderr, "%s:%d: %s returned %u (%s), expected %u (%s)\n", __FILE__,      \
                    __LINE__, #expr, (unsigned)check_rc_, sv2_result_str(check_rc_),         \
                    (unsigned)(expected), sv2_result_str((sv2_result)(expected)));           \
        }                                                                                    \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, SV2_OK)

static inline int check_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

/* Moves bytes between two sessions until neither has anything to send. */
static inline void pump(sv2_session *a, sv2_session *b, uint64_t now_ms) {
    uint8_t buf[512];
    int round;
    for (round = 0; round < 1000; round++) {
        int moved = 0;
        sv2_session *from[2];
        sv2_session *to[2];
        int i;
        from[0] = a;
        to[0] = b;
        from[1] = b;
        to[1] = a;
        for (i = 0; i < 2; i++) {
            size_t n = 0;
            for (;;) {
                if (sv2_session_data_to_send(from[i], buf, sizeof buf, &n) != SV2_OK || n == 0) {
                    break;
                }
                moved = 1;
                if (!sv2_session_is_closed(to[i])) {
                    /* Errors close the receiving session; tests look at its events. */
                    sv2_result ignored = sv2_session_receive_data(to[i], buf, n, now_ms);
                    (void)ignored;
                }
            }
        }
        if (!moved) {
            return;
        }
    }
}

/* Drains events until one of `type` arrives (copied to *out) or the session is idle. */
static inline int wait_event(sv2_session *s, uint32_t type, sv2_event *out) {
    for (;;) {
        sv2_event ev;
        if (sv2_session_next_event(s, &ev) != SV2_OK) {
            return 0;
        }
        if (ev.type == SV2_EVENT_NONE) {
            return 0;
        }
        if (ev.type == type) {
            *out = ev;
            return 1;
        }
    }
}

static inline int bytes_eq(sv2_bytes b, const char *s) {
    return b.len == strlen(s) && (b.len == 0 || memcmp(b.ptr, s, b.len) == 0);
}

#endif
