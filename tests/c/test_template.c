/* Template Distribution (spec §6) from C, in one process without sockets: a template provider
 * fed by the synthetic block source, a template client over Noise, a pool taking its
 * templates from that client, and a miner. The miner's block reaches the provider as
 * SubmitSolution (R144) and comes back as a SOLUTION event with the assembled block.
 * Also: the block template builder (a transaction that does not parse is refused), a stale
 * tip refused, RequestTransactionData success and unknown id (R142), and misuse: NULL
 * arguments, wrong state, unknown connections. Run under ASan+UBSan and valgrind. */
#include "check.h"

#define NOW_UNIX 1700000000u
#define POOL_COINBASE_OUTPUTS 10u /* 8-byte value + 1-byte length + OP_TRUE (the pool default) */

static struct {
    unsigned long provider[8], client[8], pool[16], miner[32];
    uint64_t tp_conn;
    uint32_t coinbase_output_size;
    uint64_t last_template_id;
    int future_templates, prev_hashes;
    size_t solution_len;
    uint32_t solution_height;
    int solution_stale;
    uint8_t solution_hash[32];
    uint8_t found_hash[32];
    uint64_t data_template_id;
    size_t data_tx_count;
    char data_error[64];
    int submitted;
    sv2_result refused_error;
    sv2_work *work;
    uint64_t miner_conn;
} seen;

static sv2_template_provider *tp;
static sv2_template_client *tc;
static sv2_pool *pool;
static sv2_miner *miner;

static void drain_provider(void) {
    sv2_template_provider_event ev;
    while (sv2_template_provider_next_event(tp, &ev) == SV2_OK &&
           ev.type != SV2_PROVIDER_EVENT_NONE) {
        seen.provider[ev.type]++;
        if (ev.type == SV2_PROVIDER_EVENT_CONNECTED) {
            const sv2_setup_connection *s = sv2_message_as_setup_connection(ev.setup);
            CHECK(s != NULL && bytes_eq(s->vendor, "c-pool"));
        } else if (ev.type == SV2_PROVIDER_EVENT_COINBASE_OUTPUT_DATA_SIZE) {
            seen.coinbase_output_size = ev.size;
        } else if (ev.type == SV2_PROVIDER_EVENT_SOLUTION) {
            seen.solution_len = ev.block.len;
            seen.solution_height = ev.height;
            seen.solution_stale = ev.stale;
            memcpy(seen.solution_hash, ev.block_hash, 32);
            /* The block starts with its 80-byte header. */
            CHECK(ev.block.len > 80 && memcmp(ev.block.ptr, ev.header, 80) == 0);
        } else if (ev.type == SV2_PROVIDER_EVENT_SOLUTION_REFUSED) {
            seen.refused_error = ev.error;
            CHECK(ev.text.len > 0);
        }
    }
}

static void drain_client(void) {
    sv2_template_client_event ev;
    while (sv2_template_client_next_event(tc, &ev) == SV2_OK &&
           ev.type != SV2_TEMPLATE_CLIENT_EVENT_NONE) {
        seen.client[ev.type]++;
        if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE) {
            const sv2_new_template *t = sv2_message_as_new_template(ev.msg);
            CHECK(t != NULL && t->template_id == ev.template_id);
            /* The event's message belongs to the client: freeing it is ignored. */
            sv2_message_free((sv2_message *)ev.msg);
            seen.last_template_id = ev.template_id;
            seen.future_templates += t != NULL && t->future_template;
        } else if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_SET_NEW_PREV_HASH) {
            CHECK(sv2_message_as_tdp_set_new_prev_hash(ev.msg) != NULL);
            seen.prev_hashes++;
        } else if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA) {
            const sv2_request_transaction_data_success *d =
                sv2_message_as_request_transaction_data_success(ev.msg);
            CHECK(d != NULL);
            seen.data_template_id = ev.template_id;
            seen.data_tx_count = d ? d->transaction_list.len : 0;
        } else if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA_ERROR) {
            size_t n = ev.text.len < sizeof seen.data_error - 1 ? ev.text.len : sizeof seen.data_error - 1;
            CHECK(sv2_message_as_request_transaction_data_error(ev.msg) != NULL);
            memcpy(seen.data_error, ev.text.ptr, n);
            seen.data_error[n] = 0;
        }
        /* The pool takes templates and tips from the provider; other events are ignored. */
        if (pool != NULL) {
            CHECK_OK(sv2_pool_apply_template_event(pool, &ev, 0));
        }
    }
}

static void drain_pool(void) {
    sv2_pool_event ev;
    while (sv2_pool_next_event(pool, &ev) == SV2_OK && ev.type != SV2_POOL_EVENT_NONE) {
        seen.pool[ev.type]++;
        if (ev.type == SV2_POOL_EVENT_BLOCK_FOUND) {
            bool sent = false;
            const sv2_submit_solution *s = sv2_message_as_submit_solution(ev.submit_solution);
            CHECK(s != NULL && ev.has_template_id && s->template_id == ev.template_id);
            memcpy(seen.found_hash, ev.block_hash, 32);
            CHECK_OK(sv2_template_client_submit_block_found(tc, &ev, 0, &sent));
            CHECK(sent);
            seen.submitted++;
        }
    }
}

static void drain_miner(void) {
    sv2_miner_event ev;
    while (sv2_miner_next_event(miner, &ev) == SV2_OK && ev.type != SV2_MINER_EVENT_NONE) {
        seen.miner[ev.type]++;
        if (ev.type == SV2_MINER_EVENT_NEW_WORK) {
            sv2_work_free(seen.work);
            seen.work = NULL;
            CHECK_OK(sv2_work_clone(ev.work, &seen.work));
        }
    }
}

/* Moves bytes everywhere until nothing moves. */
static void settle(void) {
    uint8_t buf[1024];
    int round;
    for (round = 0; round < 1000; round++) {
        size_t n = 0;
        int moved = 0;
        while (sv2_template_client_data_to_send(tc, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            moved = 1;
            CHECK_OK(sv2_template_provider_receive_data(tp, seen.tp_conn, buf, n, 0));
        }
        drain_provider();
        while (sv2_template_provider_data_to_send(tp, seen.tp_conn, buf, sizeof buf, &n) == SV2_OK &&
               n > 0) {
            moved = 1;
            CHECK_OK(sv2_template_client_receive_data(tc, buf, n, 0));
        }
        drain_client();
        if (pool != NULL) {
            while (sv2_miner_data_to_send(miner, buf, sizeof buf, &n) == SV2_OK && n > 0) {
                moved = 1;
                CHECK_OK(sv2_pool_receive_data(pool, seen.miner_conn, buf, n, 0));
            }
            drain_pool();
            while (sv2_pool_data_to_send(pool, seen.miner_conn, buf, sizeof buf, &n) == SV2_OK &&
                   n > 0) {
                moved = 1;
                CHECK_OK(sv2_miner_receive_data(miner, buf, n, 0));
            }
            drain_miner();
        }
        if (!moved && !sv2_template_client_wants_write(tc)) {
            return;
        }
    }
    CHECK(!"settled");
}

static sv2_template_provider *make_provider(uint8_t authority_public[32]) {
    uint8_t seed[32], auth_secret[32], srv_secret[32], srv_public[32];
    sv2_certificate cert;
    sv2_template_provider_config *cfg = NULL;
    sv2_template_provider *p = NULL;
    memset(seed, 7, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, auth_secret, authority_public));
    seed[0] = 8;
    CHECK_OK(sv2_server_key_generate(seed, srv_secret, srv_public));
    CHECK_OK(sv2_certificate_sign(auth_secret, srv_public, NOW_UNIX - 10, NOW_UNIX + 3600, &cert));
    CHECK_OK(sv2_template_provider_config_new(&cfg));
    /* No security chosen yet. */
    CHECK_RC(sv2_template_provider_new(cfg, &p), SV2_ERR_INVALID_CONFIG);
    CHECK_RC(sv2_template_provider_config_set_max_templates(cfg, 0), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_template_provider_config_set_max_templates(cfg, 16));
    CHECK_OK(sv2_template_provider_config_set_noise(cfg, srv_secret, &cert));
    CHECK_OK(sv2_template_provider_config_set_rng_seed(cfg, seed));
    CHECK_OK(sv2_template_provider_config_set_timeouts(cfg, 10000, 10000, 0));
    CHECK_OK(sv2_template_provider_new(cfg, &p));
    sv2_template_provider_config_free(cfg);
    return p;
}

static sv2_template_client *make_client(const uint8_t authority_public[32]) {
    sv2_template_client_config *cfg = NULL;
    sv2_template_client *c = NULL;
    uint8_t seed[32];
    memset(seed, 9, sizeof seed);
    CHECK_OK(sv2_template_client_config_new(&cfg));
    CHECK_RC(sv2_template_client_new(cfg, NOW_UNIX, 0, &c), SV2_ERR_INVALID_CONFIG);
    CHECK_RC(sv2_template_client_config_set_provider_url(cfg, "stratum+tcp://tp:8442"),
             SV2_ERR_URL_SCHEME);
    CHECK_OK(sv2_template_client_config_set_provider_url(cfg, "stratum2+tcp+plain://127.0.0.1:8442"));
    CHECK_OK(sv2_template_client_config_set_authority_key(cfg, authority_public));
    CHECK_OK(sv2_template_client_config_set_vendor(cfg, "c-pool"));
    CHECK_RC(sv2_template_client_config_set_vendor(cfg, NULL), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_template_client_config_set_coinbase_output_size(cfg, POOL_COINBASE_OUTPUTS));
    CHECK_OK(sv2_template_client_config_set_rng_seed(cfg, seed));
    CHECK_OK(sv2_template_client_config_set_timeouts(cfg, 10000, 10000, 0));
    CHECK_OK(sv2_template_client_new(cfg, NOW_UNIX, 0, &c));
    sv2_template_client_config_free(cfg);
    return c;
}

static sv2_pool *make_pool(void) {
    sv2_pool_config *cfg = NULL;
    sv2_pool *p = NULL;
    CHECK_OK(sv2_pool_config_new(&cfg));
    CHECK_OK(sv2_pool_config_set_plaintext(cfg));
    CHECK_OK(sv2_pool_new(cfg, &p));
    sv2_pool_config_free(cfg);
    return p;
}

static sv2_miner *make_miner(void) {
    sv2_miner_config *cfg = NULL;
    sv2_miner *m = NULL;
    CHECK_OK(sv2_miner_config_new(&cfg));
    CHECK_OK(sv2_miner_config_set_pool_url(cfg, "stratum2+tcp+plain://127.0.0.1:3336"));
    CHECK_OK(sv2_miner_config_add_standard_channel(cfg, "alice.rig1", 1000.0f, NULL));
    CHECK_OK(sv2_miner_new(cfg, NOW_UNIX, 0, &m));
    sv2_miner_config_free(cfg);
    return m;
}

/* A block template built by hand: a real legacy transaction is accepted, bytes that are not
 * one transaction are refused with SV2_ERR_INVALID_TRANSACTION and change nothing. */
static void template_builder(void) {
    /* Version 1, one input (null outpoint, empty scriptSig), one output (0 sat, OP_TRUE),
     * locktime 0. */
    static const uint8_t tx[] = {
        0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x51, 0x00, 0x00, 0x00, 0x00};
    uint8_t prev[32], target[32], longer[sizeof tx + 1];
    sv2_block_template *t = NULL;
    memset(prev, 0x42, sizeof prev);
    memset(target, 0xff, sizeof target);
    target[31] = 0x7f;
    CHECK_RC(sv2_block_template_new(0x20000000u, NULL, 0x207fffffu, target, NOW_UNIX, NOW_UNIX - 600,
                                    101, 5000000000ull, true, &t),
             SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_block_template_new(0x20000000u, prev, 0x207fffffu, target, NOW_UNIX, NOW_UNIX - 600,
                                    101, 5000000000ull, true, NULL),
             SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_block_template_new(0x20000000u, prev, 0x207fffffu, target, NOW_UNIX, NOW_UNIX - 600,
                                    101, 5000000000ull, true, &t));
    CHECK_OK(sv2_block_template_add_transaction(t, tx, sizeof tx, 4, 1000));
    /* Truncated, trailing byte, empty: not one transaction. */
    CHECK_RC(sv2_block_template_add_transaction(t, tx, sizeof tx - 1, 4, 1000),
             SV2_ERR_INVALID_TRANSACTION);
    CHECK(strstr(sv2_block_template_last_error(t), "truncated") != NULL);
    memcpy(longer, tx, sizeof tx);
    longer[sizeof tx] = 0;
    CHECK_RC(sv2_block_template_add_transaction(t, longer, sizeof longer, 4, 1000),
             SV2_ERR_INVALID_TRANSACTION);
    CHECK_RC(sv2_block_template_add_transaction(t, tx, 0, 4, 1000), SV2_ERR_INVALID_TRANSACTION);
    CHECK_RC(sv2_block_template_add_transaction(t, NULL, 10, 4, 1000), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_block_template_add_transaction(NULL, tx, sizeof tx, 4, 1000), SV2_ERR_NULL_ARG);
    CHECK(sv2_block_template_transaction_count(t) == 1);
    CHECK(sv2_block_template_height(t) == 101);
    CHECK(sv2_block_template_transaction_count(NULL) == 0);
    sv2_block_template_free(t);
    sv2_block_template_free(NULL);
    CHECK(strcmp(sv2_result_str(SV2_ERR_INVALID_TRANSACTION), "unknown sv2_result") != 0);
    CHECK(strcmp(sv2_result_str(SV2_ERR_STALE_TIP), "unknown sv2_result") != 0);
}

static void misuse(void) {
    sv2_template_provider_event pev;
    sv2_template_client_event cev;
    sv2_pool_event not_block;
    uint8_t buf[16];
    size_t n = 0;
    uint64_t conn = 0, deadline = 0;
    sv2_synthetic_block_source *src = NULL;
    sv2_block_template *t = NULL;

    CHECK_RC(sv2_template_provider_config_new(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_provider_new(NULL, &tp), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_provider_accept(NULL, 0, &conn), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_provider_next_event(NULL, &pev), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_provider_receive_data(tp, 999, buf, 1, 0), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK_RC(sv2_template_provider_data_to_send(tp, 999, buf, sizeof buf, &n), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK_RC(sv2_template_provider_remove(tp, 999), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK_RC(sv2_template_provider_next_event(tp, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_provider_set_template(tp, NULL, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_provider_poll_timeout(tp, NULL), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_template_provider_poll_timeout(tp, &deadline));
    CHECK(!sv2_template_provider_wants_write(NULL, 0));
    CHECK(strcmp(sv2_template_provider_last_error(NULL), "handle is NULL") == 0);

    CHECK_RC(sv2_template_client_config_new(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_client_new(NULL, NOW_UNIX, 0, &tc), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_client_next_event(NULL, &cev), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_client_receive_data(tc, NULL, 3, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_client_data_to_send(tc, NULL, 3, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_client_submit_solution(tc, NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_client_submit_block_found(tc, NULL, 0, NULL), SV2_ERR_NULL_ARG);
    memset(&not_block, 0, sizeof not_block);
    not_block.type = SV2_POOL_EVENT_SHARE_ACCEPTED;
    CHECK_RC(sv2_template_client_submit_block_found(tc, &not_block, 0, NULL), SV2_ERR_INVALID_ARG);
    CHECK(!sv2_template_client_is_ready(NULL));

    CHECK_RC(sv2_synthetic_block_source_new(1, 100, 2, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_synthetic_block_source_next_block(NULL, NOW_UNIX, &t), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_synthetic_block_source_new(1, 100, 2, &src));
    CHECK_RC(sv2_synthetic_block_source_next_block(src, NOW_UNIX, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_synthetic_block_source_advance(src, NULL), SV2_ERR_NULL_ARG);
    CHECK(sv2_synthetic_block_source_height(src) == 100);
    CHECK(sv2_synthetic_block_source_height(NULL) == 0);
    sv2_synthetic_block_source_free(src);
    sv2_synthetic_block_source_free(NULL);

    CHECK_RC(sv2_pool_apply_template_event(NULL, &cev, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_apply_template_event(pool, NULL, 0), SV2_ERR_NULL_ARG);
    memset(&cev, 0, sizeof cev);
    cev.type = SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE; /* msg NULL */
    CHECK_RC(sv2_pool_apply_template_event(pool, &cev, 0), SV2_ERR_NULL_ARG);
    cev.type = SV2_TEMPLATE_CLIENT_EVENT_READY; /* nothing for the pool */
    CHECK_OK(sv2_pool_apply_template_event(pool, &cev, 0));
}

int main(void) {
    uint8_t authority_public[32];
    sv2_synthetic_block_source *source = NULL;
    sv2_block_template *t = NULL;
    sv2_provider_stats stats;
    uint32_t update = 0;
    uint64_t first_template;
    uint32_t nonce;
    uint8_t hash[32];
    int i;

    template_builder();

    tp = make_provider(authority_public);
    tc = make_client(authority_public);
    pool = make_pool();
    miner = make_miner();
    misuse();

    /* Wrong state: the client is not set up yet. */
    CHECK_RC(sv2_template_client_request_transaction_data(tc, 1, 0), SV2_ERR_WRONG_STATE);

    CHECK_OK(sv2_synthetic_block_source_new(6, 400, 40, &source));
    CHECK_OK(sv2_synthetic_block_source_next_block(source, NOW_UNIX, &t));
    CHECK(sv2_block_template_transaction_count(t) == 40);
    CHECK_OK(sv2_template_provider_set_template(tp, t, 0, &update));
    CHECK(update == SV2_TEMPLATE_UPDATE_NEW_TIP);
    sv2_block_template_free(t);

    CHECK_OK(sv2_template_provider_accept(tp, 0, &seen.tp_conn));
    CHECK_OK(sv2_pool_accept(pool, 0, &seen.miner_conn));
    settle();

    /* R131, R132: CoinbaseOutputDataSize after setup, then a future template and its tip. */
    CHECK(seen.provider[SV2_PROVIDER_EVENT_CONNECTED] == 1);
    CHECK(seen.coinbase_output_size == POOL_COINBASE_OUTPUTS);
    CHECK(seen.client[SV2_TEMPLATE_CLIENT_EVENT_READY] == 1);
    CHECK(sv2_template_client_is_ready(tc));
    CHECK(seen.future_templates == 1 && seen.prev_hashes == 1);
    first_template = seen.last_template_id;
    /* The pool made work of the provider's template. */
    CHECK(seen.miner[SV2_MINER_EVENT_NEW_WORK] >= 1 && seen.work != NULL);

    /* R142: the template's transactions, and an unknown id. */
    CHECK_OK(sv2_template_client_request_transaction_data(tc, first_template, 0));
    CHECK_OK(sv2_template_client_request_transaction_data(tc, 9999, 0));
    settle();
    CHECK(seen.data_template_id == first_template && seen.data_tx_count == 40);
    CHECK(strcmp(seen.data_error, "template-id-not-found") == 0);

    /* R133: another template on the same tip is non-future; the pool takes it at once. */
    CHECK_OK(sv2_synthetic_block_source_update(source, NOW_UNIX + 1, &t));
    CHECK_OK(sv2_template_provider_set_template(tp, t, 0, &update));
    CHECK(update == SV2_TEMPLATE_UPDATE_SAME_TIP);
    sv2_block_template_free(t);
    settle();
    CHECK(seen.last_template_id > first_template && seen.future_templates == 1);

    /* Mine the pool's work until a block (regtest difficulty: a few hashes). */
    for (nonce = 0; nonce < 1000000u; nonce++) {
        CHECK_OK(sv2_work_hash(seen.work, nonce, seen.work->min_ntime, seen.work->version, hash));
        if (sv2_work_is_block(seen.work, hash) && sv2_work_meets_target(seen.work, hash)) {
            break;
        }
    }
    CHECK_OK(sv2_miner_submit_standard(miner, seen.work->channel_id, seen.work->job_id, nonce,
                                       seen.work->min_ntime, seen.work->version, 0, NULL));
    settle();

    /* R144: the block found by the pool reached the provider as a full block. */
    CHECK(seen.pool[SV2_POOL_EVENT_BLOCK_FOUND] == 1 && seen.submitted == 1);
    CHECK(seen.provider[SV2_PROVIDER_EVENT_SOLUTION] == 1);
    CHECK(seen.provider[SV2_PROVIDER_EVENT_SOLUTION_REFUSED] == 0);
    CHECK(seen.solution_height == 400 && !seen.solution_stale);
    CHECK(memcmp(seen.solution_hash, seen.found_hash, 32) == 0);
    CHECK(seen.solution_len > 80 + 41 * 60);
    CHECK_OK(sv2_template_provider_stats(tp, &stats));
    CHECK(stats.solutions == 1 && stats.clients == 1 && stats.height == 400);
    CHECK(stats.transaction_data_served == 1);

    /* A caller-filled SubmitSolution for a template the provider never sent: refused with
     * error 0 (unknown id), nothing broadcast, the connection stays (R144). */
    {
        sv2_submit_solution bogus;
        static const uint8_t not_a_coinbase[4] = {1, 2, 3, 4};
        memset(&bogus, 0, sizeof bogus);
        bogus.template_id = 424242;
        bogus.version = 0x20000000u;
        bogus.coinbase_tx.ptr = not_a_coinbase;
        bogus.coinbase_tx.len = sizeof not_a_coinbase;
        CHECK_OK(sv2_template_client_submit_solution(tc, &bogus, 0));
        settle();
        CHECK(seen.provider[SV2_PROVIDER_EVENT_SOLUTION_REFUSED] == 1);
        CHECK(seen.provider[SV2_PROVIDER_EVENT_SOLUTION] == 1);
        /* The same for a template it knows, with bytes that are no coinbase. */
        bogus.template_id = seen.last_template_id;
        CHECK_OK(sv2_template_client_submit_solution(tc, &bogus, 0));
        settle();
        CHECK(seen.provider[SV2_PROVIDER_EVENT_SOLUTION_REFUSED] == 2);
        CHECK(seen.refused_error == SV2_ERR_INVALID_TEMPLATE);
        CHECK(sv2_template_client_is_ready(tc));
    }

    /* The next tip: a new future template and SetNewPrevHash; the old tip is refused. */
    CHECK_OK(sv2_synthetic_block_source_advance(source, seen.solution_hash));
    CHECK_OK(sv2_synthetic_block_source_next_block(source, NOW_UNIX + 2, &t));
    CHECK_OK(sv2_template_provider_set_template(tp, t, 0, &update));
    CHECK(update == SV2_TEMPLATE_UPDATE_NEW_TIP);
    sv2_block_template_free(t);
    settle();
    CHECK(seen.future_templates == 2 && seen.prev_hashes == 2);
    {
        sv2_synthetic_block_source *old = NULL;
        CHECK_OK(sv2_synthetic_block_source_new(6, 400, 2, &old));
        CHECK_OK(sv2_synthetic_block_source_next_block(old, NOW_UNIX + 3, &t));
        CHECK_RC(sv2_template_provider_set_template(tp, t, 0, &update), SV2_ERR_STALE_TIP);
        CHECK(strstr(sv2_template_provider_last_error(tp), "stale") != NULL);
        sv2_block_template_free(t);
        sv2_synthetic_block_source_free(old);
    }

    /* The provider closes the connection: both sides report CLOSED. */
    CHECK_OK(sv2_template_provider_close(tp, seen.tp_conn));
    drain_provider();
    CHECK(seen.provider[SV2_PROVIDER_EVENT_CLOSED] == 1);
    CHECK_OK(sv2_template_client_peer_closed(tc));
    drain_client();
    CHECK(seen.client[SV2_TEMPLATE_CLIENT_EVENT_CLOSED] == 1);
    CHECK_RC(sv2_template_client_request_transaction_data(tc, 1, 0), SV2_ERR_CLOSED);
    CHECK_OK(sv2_template_provider_remove(tp, seen.tp_conn));
    CHECK_RC(sv2_template_provider_remove(tp, seen.tp_conn), SV2_ERR_UNKNOWN_CONNECTION);
    for (i = 0; i < 1; i++) {
        CHECK_OK(sv2_template_provider_stats(tp, &stats));
        CHECK(stats.connections == 0);
    }

    sv2_work_free(seen.work);
    sv2_synthetic_block_source_free(source);
    sv2_miner_free(miner);
    sv2_pool_free(pool);
    sv2_template_client_free(tc);
    sv2_template_provider_free(tp);
    return check_report("test_template");
}
