/* Codec tests through the C API, on the shared vectors tests/vectors/messages/<protocol>/<name>.hex
 * (passed as arguments): decode each frame, check its kind against the file name, re-encode it
 * byte for byte (generic and, for the mining messages firmware uses, through the typed view),
 * and check the error paths of decoding and encoding. */
#include <stdlib.h>

#include "check.h"

/* Reads a hex file (lines starting with '#' are comments) into buf; returns the length or -1. */
static long read_hex(const char *path, uint8_t *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    long n = 0;
    int c, high = -1, comment = 0, at_line_start = 1;
    if (f == NULL) {
        return -1;
    }
    while ((c = fgetc(f)) != EOF) {
        int v;
        if (at_line_start && c == '#') {
            comment = 1;
        }
        at_line_start = (c == '\n');
        if (c == '\n') {
            comment = 0;
            continue;
        }
        if (comment || c == ' ' || c == '\t' || c == '\r') {
            continue;
        }
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            fclose(f);
            return -1;
        }
        if (high < 0) {
            high = v;
        } else {
            if ((size_t)n >= cap) {
                fclose(f);
                return -1;
            }
            buf[n++] = (uint8_t)(high << 4 | v);
            high = -1;
        }
    }
    fclose(f);
    return high < 0 ? n : -1;
}

/* The kind name a vector's file name announces ("Mining/NewMiningJob.hex" -> "NewMiningJob"). */
static void name_of(const char *path, char *out, size_t cap) {
    const char *base = strrchr(path, '/');
    size_t len;
    base = base ? base + 1 : path;
    len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".hex") == 0) {
        len -= 4;
    }
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(out, base, len);
    out[len] = '\0';
}

/* Re-encodes through the typed view for the kinds that have a case here; returns 1 if handled. */
static int typed_round_trip(const sv2_message *m, uint8_t *out, size_t cap, size_t *n, sv2_result *rc) {
    switch (sv2_message_kind(m)) {
    case SV2_MESSAGE_SETUP_CONNECTION:
        *rc = sv2_encode_setup_connection(sv2_message_as_setup_connection(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_OPEN_STANDARD_MINING_CHANNEL_SUCCESS:
        *rc = sv2_encode_open_standard_mining_channel_success(
            sv2_message_as_open_standard_mining_channel_success(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_OPEN_EXTENDED_MINING_CHANNEL_SUCCESS:
        *rc = sv2_encode_open_extended_mining_channel_success(
            sv2_message_as_open_extended_mining_channel_success(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_NEW_MINING_JOB:
        *rc = sv2_encode_new_mining_job(sv2_message_as_new_mining_job(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_NEW_EXTENDED_MINING_JOB:
        *rc = sv2_encode_new_extended_mining_job(sv2_message_as_new_extended_mining_job(m),
                                                 SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_MINING_SET_NEW_PREV_HASH:
        *rc = sv2_encode_mining_set_new_prev_hash(sv2_message_as_mining_set_new_prev_hash(m),
                                                  SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_SET_TARGET:
        *rc = sv2_encode_set_target(sv2_message_as_set_target(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_SUBMIT_SHARES_STANDARD:
        *rc = sv2_encode_submit_shares_standard(sv2_message_as_submit_shares_standard(m),
                                                SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_SUBMIT_SHARES_EXTENDED:
        *rc = sv2_encode_submit_shares_extended(sv2_message_as_submit_shares_extended(m),
                                                SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_SET_CUSTOM_MINING_JOB:
        *rc = sv2_encode_set_custom_mining_job(sv2_message_as_set_custom_mining_job(m),
                                               SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_SET_GROUP_CHANNEL:
        *rc = sv2_encode_set_group_channel(sv2_message_as_set_group_channel(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_COMMIT_MINING_JOB:
        *rc = sv2_encode_commit_mining_job(sv2_message_as_commit_mining_job(m), SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    case SV2_MESSAGE_PROVIDE_MISSING_TRANSACTIONS:
        *rc = sv2_encode_provide_missing_transactions(sv2_message_as_provide_missing_transactions(m),
                                                      SV2_DIALECT_SPEC, out, cap, n);
        return 1;
    default:
        return 0;
    }
}

static uint8_t frame[1 << 16];
static uint8_t out[1 << 16];

static void check_vector(const char *path, int *typed) {
    char expected[128];
    long len = read_hex(path, frame, sizeof frame);
    sv2_message *m = NULL;
    size_t used = 0, n = 0, needed = 0;
    sv2_result rc = SV2_OK;
    const char *name;

    name_of(path, expected, sizeof expected);
    CHECK(len >= 6);
    if (len < 6) {
        fprintf(stderr, "cannot read %s\n", path);
        return;
    }
    CHECK_OK(sv2_frame_decode(frame, (size_t)len, SV2_DIALECT_SPEC, &m, &used));
    if (m == NULL) {
        fprintf(stderr, "  vector %s\n", path);
        return;
    }
    CHECK(used == (size_t)len);
    name = sv2_message_kind_name(sv2_message_kind(m));
    CHECK(name != NULL && strcmp(name, expected) == 0);

    CHECK_OK(sv2_message_encode(m, SV2_DIALECT_SPEC, out, sizeof out, &n));
    CHECK(n == (size_t)len && memcmp(out, frame, n) == 0);
    /* Too small: the required size is reported. */
    CHECK_RC(sv2_message_encode(m, SV2_DIALECT_SPEC, out, (size_t)len - 1, &needed), SV2_ERR_BUFFER_TOO_SMALL);
    CHECK(needed == (size_t)len);
    needed = 0;
    CHECK_RC(sv2_message_encode(m, SV2_DIALECT_SPEC, NULL, 0, &needed), SV2_ERR_BUFFER_TOO_SMALL);
    CHECK(needed == (size_t)len);

    if (typed_round_trip(m, out, sizeof out, &n, &rc)) {
        CHECK_OK(rc);
        CHECK(n == (size_t)len && memcmp(out, frame, n) == 0);
        ++*typed;
    }
    /* A truncated frame is an error, not a crash. */
    CHECK_RC(sv2_frame_decode(frame, (size_t)len - 1, SV2_DIALECT_SPEC, &m, &used), SV2_ERR_TRUNCATED);
    sv2_message_free(m);
}

static void check_errors(void) {
    /* A message type no dialect knows. */
    uint8_t unknown[6] = {0x00, 0x00, 0x7f, 0x00, 0x00, 0x00};
    /* SubmitSharesStandard with one payload byte too many. */
    uint8_t trailing[6 + 25] = {0x00, 0x80, 0x1a, 0x19, 0x00, 0x00};
    /* SetTarget (channel_id, U256): a 4-byte payload is truncated. */
    uint8_t short_payload[10] = {0x00, 0x80, 0x21, 0x04, 0x00, 0x00, 1, 0, 0, 0};
    sv2_message *m = NULL;
    size_t used = 0, n = 0;
    sv2_new_mining_job job;
    CHECK_RC(sv2_frame_decode(unknown, sizeof unknown, SV2_DIALECT_SPEC, &m, &used), SV2_ERR_UNKNOWN_MESSAGE);
    CHECK(m == NULL && used == 0);
    CHECK_RC(sv2_frame_decode(trailing, sizeof trailing, SV2_DIALECT_SPEC, &m, &used), SV2_ERR_TRAILING_BYTES);
    CHECK_RC(sv2_frame_decode(short_payload, sizeof short_payload, SV2_DIALECT_SPEC, &m, &used), SV2_ERR_TRUNCATED);
    CHECK_RC(sv2_frame_decode(unknown, sizeof unknown, 99, &m, &used), SV2_ERR_INVALID_ARG);
    CHECK(m == NULL);

    /* Encoding checks values against their types. */
    memset(&job, 0, sizeof job);
    job.channel_id = 1;
    CHECK_OK(sv2_encode_new_mining_job(&job, SV2_DIALECT_SPEC, out, sizeof out, &n));
    CHECK(n == 6 + 4 + 4 + 1 + 4 + 32);
    /* The same message in the sri-2023 dialect has another id and layout. */
    CHECK_OK(sv2_encode_new_mining_job(&job, SV2_DIALECT_SRI_2023, out, sizeof out, &n));
    CHECK(out[2] == 0x15);
    {
        sv2_set_extranonce_prefix p;
        uint8_t too_long[33];
        memset(too_long, 1, sizeof too_long);
        p.channel_id = 1;
        p.extranonce_prefix.ptr = too_long;
        p.extranonce_prefix.len = sizeof too_long;
        CHECK_RC(sv2_encode_set_extranonce_prefix(&p, SV2_DIALECT_SPEC, out, sizeof out, &n), SV2_ERR_ENCODE_TOO_LONG);
        p.extranonce_prefix.ptr = NULL;
        p.extranonce_prefix.len = 3;
        CHECK_RC(sv2_encode_set_extranonce_prefix(&p, SV2_DIALECT_SPEC, out, sizeof out, &n), SV2_ERR_NULL_ARG);
        p.extranonce_prefix.len = 0;
        CHECK_OK(sv2_encode_set_extranonce_prefix(&p, SV2_DIALECT_SPEC, out, sizeof out, &n));
    }
    {
        /* Telemetry exists only in braiins-2021. */
        sv2_open_telemetry_channel t;
        memset(&t, 0, sizeof t);
        CHECK_RC(sv2_encode_open_telemetry_channel(&t, SV2_DIALECT_SPEC, out, sizeof out, &n), SV2_ERR_NOT_IN_DIALECT);
        CHECK_OK(sv2_encode_open_telemetry_channel(&t, SV2_DIALECT_BRAIINS_2021, out, sizeof out, &n));
    }
    CHECK(sv2_message_kind_name(SV2_MESSAGE_KIND_COUNT) == NULL);
    CHECK(strcmp(sv2_message_kind_name(SV2_MESSAGE_SUBMIT_SHARES_SUCCESS), "SubmitShares.Success") == 0);
}

int main(int argc, char **argv) {
    int i, typed = 0;
    CHECK(argc > 40);
    for (i = 1; i < argc; i++) {
        check_vector(argv[i], &typed);
    }
    CHECK(typed >= 13);
    check_errors();
    printf("test_codec: %d vectors, %d through typed views\n", argc - 1, typed);
    return check_report("test_codec");
}
