/* decode: hex frames in, messages out, through libsv2's read-only message views.
 *
 *   decode [FILE]     one or more frames as hex (whitespace ignored, '#' starts a comment line);
 *                     FILE defaults to standard input.
 *
 * Every frame's kind is printed; the fields of the messages a mining device meets are printed
 * through their typed views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv2.h"

static void print_hex(const char *name, const uint8_t *p, size_t n) {
    size_t i;
    printf("  %s: ", name);
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
    printf("\n");
}

static void print_str(const char *name, sv2_bytes b) {
    printf("  %s: \"%.*s\"\n", name, (int)b.len, (const char *)b.ptr);
}

static void print_fields(const sv2_message *m) {
    const sv2_setup_connection *setup;
    const sv2_open_standard_mining_channel *open;
    const sv2_open_standard_mining_channel_success *opened;
    const sv2_new_mining_job *job;
    const sv2_mining_set_new_prev_hash *prev;
    const sv2_submit_shares_standard *share;
    const sv2_submit_shares_success *ack;

    if ((setup = sv2_message_as_setup_connection(m)) != NULL) {
        printf("  protocol: %u, versions %u..%u, flags 0x%08x\n", (unsigned)setup->protocol,
               (unsigned)setup->min_version, (unsigned)setup->max_version, (unsigned)setup->flags);
        print_str("endpoint_host", setup->endpoint_host);
        print_str("vendor", setup->vendor);
    } else if ((open = sv2_message_as_open_standard_mining_channel(m)) != NULL) {
        printf("  request_id: %u\n", (unsigned)open->request_id);
        print_str("user_identity", open->user_identity);
        printf("  nominal_hash_rate: %g\n", (double)open->nominal_hash_rate);
    } else if ((opened = sv2_message_as_open_standard_mining_channel_success(m)) != NULL) {
        printf("  request_id: %u, channel_id: %u\n", (unsigned)opened->request_id, (unsigned)opened->channel_id);
        print_hex("target", opened->target, sizeof opened->target);
        print_hex("extranonce_prefix", opened->extranonce_prefix.ptr, opened->extranonce_prefix.len);
    } else if ((job = sv2_message_as_new_mining_job(m)) != NULL) {
        printf("  channel_id: %u, job_id: %u, future_job: %s, version: 0x%08x\n",
               (unsigned)job->channel_id, (unsigned)job->job_id, job->future_job ? "true" : "false",
               (unsigned)job->version);
        print_hex("merkle_root", job->merkle_root, sizeof job->merkle_root);
    } else if ((prev = sv2_message_as_mining_set_new_prev_hash(m)) != NULL) {
        printf("  channel_id: %u, job_id: %u, min_ntime: %u, nbits: 0x%08x\n", (unsigned)prev->channel_id,
               (unsigned)prev->job_id, (unsigned)prev->min_ntime, (unsigned)prev->nbits);
        print_hex("prev_hash", prev->prev_hash, sizeof prev->prev_hash);
    } else if ((share = sv2_message_as_submit_shares_standard(m)) != NULL) {
        printf("  channel_id: %u, sequence_number: %u, job_id: %u, nonce: 0x%08x, ntime: %u, version: 0x%08x\n",
               (unsigned)share->channel_id, (unsigned)share->sequence_number, (unsigned)share->job_id,
               (unsigned)share->nonce, (unsigned)share->ntime, (unsigned)share->version);
    } else if ((ack = sv2_message_as_submit_shares_success(m)) != NULL) {
        printf("  channel_id: %u, last_sequence_number: %u, accepted: %u, shares_sum: %llu\n",
               (unsigned)ack->channel_id, (unsigned)ack->last_sequence_number,
               (unsigned)ack->new_submits_accepted_count, (unsigned long long)ack->new_shares_sum);
    }
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int main(int argc, char **argv) {
    FILE *in = stdin;
    uint8_t *bytes = NULL;
    size_t len = 0, cap = 0, offset = 0;
    int c, high = -1, comment = 0, line_start = 1, frames = 0, status = 0;

    if (argc > 1 && (in = fopen(argv[1], "r")) == NULL) {
        perror(argv[1]);
        return 2;
    }
    while ((c = fgetc(in)) != EOF) {
        int v;
        if (line_start && c == '#') comment = 1;
        line_start = (c == '\n');
        if (c == '\n') { comment = 0; continue; }
        if (comment || c == ' ' || c == '\t' || c == '\r') continue;
        if ((v = hex_value(c)) < 0) {
            fprintf(stderr, "decode: not a hex digit: '%c'\n", c);
            status = 2;
            break;
        }
        if (high < 0) { high = v; continue; }
        if (len == cap) {
            uint8_t *grown;
            cap = cap ? cap * 2 : 4096;
            grown = realloc(bytes, cap);
            if (grown == NULL) { status = 2; break; }
            bytes = grown;
        }
        bytes[len++] = (uint8_t)(high << 4 | v);
        high = -1;
    }
    if (in != stdin) fclose(in);

    while (status == 0 && offset < len) {
        sv2_message *m = NULL;
        size_t used = 0;
        sv2_result rc = sv2_frame_decode(bytes + offset, len - offset, SV2_DIALECT_SPEC, &m, &used);
        if (rc != SV2_OK) {
            fprintf(stderr, "decode: frame at byte %lu: %s\n", (unsigned long)offset, sv2_result_str(rc));
            status = 1;
            break;
        }
        printf("%s (%lu bytes)\n", sv2_message_kind_name(sv2_message_kind(m)), (unsigned long)used);
        print_fields(m);
        sv2_message_free(m);
        offset += used;
        frames++;
    }
    free(bytes);
    if (status == 0) printf("%d frames\n", frames);
    return status;
}
