/* The miner and pool handles from C, in one process without sockets: a pool (synthetic
 * templates, Noise) and miners (standard and extended channels) pass bytes through memory.
 * Checks the events, the work helpers, the target helpers, reconnect, and misuse: NULL
 * handles and buffers, buffers too small (with the size needed), calls in the wrong state and
 * after close. Each returns its documented code (run under ASan+UBSan and valgrind). */
#include "check.h"

#define NOW_UNIX 1700000000u

/* What the pump saw. */
static struct {
    unsigned long pool[16], miner[32];
    sv2_work *work;          /* clone of the latest NEW_WORK */
    uint8_t block_header[80];
    uint8_t block_hash[32];
    uint32_t channel_id;
    uint64_t conn;           /* conn of the latest CONNECTED */
    size_t reconnect_host_len;
    uint16_t reconnect_port;
    uint32_t opened_request_id;
} seen;

static void reset_seen(void) {
    sv2_work_free(seen.work);
    memset(&seen, 0, sizeof seen);
}

static void drain_pool(sv2_pool *p) {
    sv2_pool_event ev;
    while (sv2_pool_next_event(p, &ev) == SV2_OK && ev.type != SV2_POOL_EVENT_NONE) {
        seen.pool[ev.type]++;
        if (ev.type == SV2_POOL_EVENT_CONNECTED) {
            const sv2_setup_connection *s = sv2_message_as_setup_connection(ev.setup);
            CHECK(s != NULL && bytes_eq(s->vendor, "test-fw"));
            /* The pool owns the message: freeing it is ignored. */
            sv2_message_free((sv2_message *)ev.setup);
            seen.conn = ev.conn;
        } else if (ev.type == SV2_POOL_EVENT_CHANNEL_OPENED) {
            CHECK(bytes_eq(ev.user_identity, "alice.rig1") || bytes_eq(ev.user_identity, "bob.rig2"));
        } else if (ev.type == SV2_POOL_EVENT_BLOCK_FOUND) {
            memcpy(seen.block_header, ev.header, 80);
            memcpy(seen.block_hash, ev.block_hash, 32);
            CHECK(ev.coinbase_tx.len > 0 && ev.has_template_id);
        } else if (ev.type == SV2_POOL_EVENT_SHARE_ACCEPTED) {
            CHECK(ev.credited_difficulty > 0 && ev.share_difficulty >= ev.credited_difficulty);
        }
    }
}

static void drain_miner(sv2_miner *m) {
    sv2_miner_event ev;
    while (sv2_miner_next_event(m, &ev) == SV2_OK && ev.type != SV2_MINER_EVENT_NONE) {
        seen.miner[ev.type]++;
        if (ev.type == SV2_MINER_EVENT_NEW_WORK) {
            sv2_work_free(seen.work);
            seen.work = NULL;
            CHECK_OK(sv2_work_clone(ev.work, &seen.work));
            /* The event's work belongs to the miner: freeing it is ignored. */
            sv2_work_free((sv2_work *)ev.work);
            CHECK(ev.work->job_id == ev.job_id && ev.work->channel_id == ev.channel_id);
        } else if (ev.type == SV2_MINER_EVENT_CHANNEL_OPENED) {
            seen.channel_id = ev.channel_id;
            seen.opened_request_id = ev.request_id;
        } else if (ev.type == SV2_MINER_EVENT_RECONNECT) {
            seen.reconnect_host_len = ev.host.len;
            seen.reconnect_port = ev.port;
        }
    }
}

/* Moves bytes both ways until both sides are quiet. */
static void pump_mining(sv2_miner *m, sv2_pool *p, uint64_t conn, uint64_t now) {
    uint8_t buf[700];
    int round;
    for (round = 0; round < 1000; round++) {
        size_t n = 0;
        int moved = 0;
        while (sv2_miner_data_to_send(m, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            moved = 1;
            if (sv2_pool_receive_data(p, conn, buf, n, now) != SV2_OK) {
                break;
            }
        }
        drain_pool(p);
        while (sv2_pool_data_to_send(p, conn, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            moved = 1;
            if (sv2_miner_receive_data(m, buf, n, now) != SV2_OK) {
                break;
            }
        }
        drain_miner(m);
        if (!moved) {
            return;
        }
    }
}

static sv2_pool *make_pool(uint8_t authority_public[32]) {
    uint8_t seed[32], auth_secret[32], srv_secret[32], srv_public[32];
    sv2_certificate cert;
    sv2_pool_config *cfg = NULL;
    sv2_pool *p = NULL;
    memset(seed, 3, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, auth_secret, authority_public));
    seed[0] = 4;
    CHECK_OK(sv2_server_key_generate(seed, srv_secret, srv_public));
    CHECK_OK(sv2_certificate_sign(auth_secret, srv_public, NOW_UNIX - 10, NOW_UNIX + 3600, &cert));
    CHECK_OK(sv2_pool_config_new(&cfg));
    CHECK_OK(sv2_pool_config_set_noise(cfg, srv_secret, &cert));
    CHECK_OK(sv2_pool_config_set_rng_seed(cfg, seed));
    CHECK_OK(sv2_pool_config_set_vardiff(cfg, true, 60.0));
    CHECK_OK(sv2_pool_config_set_ack_batch(cfg, 4, 500));
    CHECK_OK(sv2_pool_new(cfg, &p));
    sv2_pool_config_free(cfg);
    return p;
}

static sv2_miner *make_miner(const uint8_t authority_public[32], int extended) {
    sv2_miner_config *cfg = NULL;
    sv2_miner *m = NULL;
    uint8_t seed[32];
    memset(seed, 5, sizeof seed);
    CHECK_OK(sv2_miner_config_new(&cfg));
    CHECK_OK(sv2_miner_config_set_pool_url(cfg, "stratum2+tcp+plain://127.0.0.1:3336"));
    CHECK_OK(sv2_miner_config_set_authority_key(cfg, authority_public));
    CHECK_OK(sv2_miner_config_set_device(cfg, "test-fw", "hw", "1.0", "dev"));
    CHECK_OK(sv2_miner_config_set_rng_seed(cfg, seed));
    CHECK_OK(sv2_miner_config_set_flags(cfg, SV2_MINING_REQUIRES_VERSION_ROLLING));
    if (extended) {
        CHECK_OK(sv2_miner_config_add_extended_channel(cfg, "bob.rig2", 1000.0f, NULL, 4));
    } else {
        CHECK_OK(sv2_miner_config_add_standard_channel(cfg, "alice.rig1", 1000.0f, NULL));
    }
    CHECK_OK(sv2_miner_new(cfg, NOW_UNIX, 0, &m));
    sv2_miner_config_free(cfg);
    return m;
}

/* Finds a nonce whose hash meets (want = 1) or misses (want = 0) the work's target. */
static uint32_t find_nonce(const sv2_work *w, uint32_t from, int want) {
    uint8_t hash[32];
    uint32_t nonce;
    for (nonce = from;; nonce++) {
        if (sv2_work_hash(w, nonce, w->min_ntime, w->version, hash) != SV2_OK) {
            return 0;
        }
        if (sv2_work_meets_target(w, hash) == (want != 0)) {
            return nonce;
        }
    }
}

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Scatters the low bits of `counter` into the set bits of `mask` (as the library rolls). */
static uint32_t deposit(uint32_t counter, uint32_t mask) {
    uint32_t out = 0, bit;
    for (bit = 1; bit && mask; bit <<= 1) {
        if (!(mask & bit)) continue;
        if (counter & 1) out |= bit;
        counter >>= 1;
        mask &= ~bit;
    }
    return out;
}

/* R148 / firmware guide: three boards on one standard channel split the job's BIP320 version
 * space; their versions never overlap and each board's clone rolls only its own. */
static void version_split(const sv2_work *w) {
    enum { BOARDS = 3 };
    sv2_version_rolling_part part[BOARDS], one;
    uint32_t versions[BOARDS][8], r, b, i, j, k, in_parts[BOARDS] = {0, 0, 0}, outside = 0;
    uint8_t mids[8 * 32];
    int overlap = 0, outside_part = 0;

    for (b = 0; b < BOARDS; b++) {
        sv2_work *clone = NULL;
        CHECK_OK(sv2_version_rolling_split(w->version_mask, b, BOARDS, &part[b]));
        CHECK((part[b].mask & part[b].fixed_bits) == 0 && (part[b].mask & ~w->version_mask) == 0);
        CHECK_OK(sv2_work_clone(w, &clone));
        clone->version ^= part[b].fixed_bits;
        clone->version_mask = part[b].mask;
        CHECK_OK(sv2_work_rolled_midstates(clone, 8, versions[b], mids));
        for (i = 0; i < 8; i++)
            if (((versions[b][i] ^ w->version) & ~part[b].mask) != part[b].fixed_bits) outside_part = 1;
        sv2_work_free(clone);
    }
    CHECK(!outside_part);
    for (b = 0; b < BOARDS; b++)
        for (i = 0; i < 8; i++)
            for (j = 0; j < BOARDS; j++)
                for (k = 0; k < 8; k++)
                    if ((b != j || i != k) && versions[b][i] == versions[j][k]) overlap = 1;
    CHECK(!overlap);
    /* Every one of the 65 536 versions is in at most one part; each part has a quarter. */
    for (r = 0; r < 65536; r++) {
        uint32_t v = w->version ^ deposit(r, 0x1fffe000u), owners = 0;
        for (b = 0; b < BOARDS; b++)
            if (((v ^ w->version) & ~part[b].mask) == part[b].fixed_bits) { owners++; in_parts[b]++; }
        if (owners == 0) outside++;
        if (owners > 1) overlap = 1;
    }
    CHECK(!overlap);
    CHECK(in_parts[0] == 16384 && in_parts[1] == 16384 && in_parts[2] == 16384 && outside == 16384);
    /* One board gets everything; no boards, a bad index or a mask too small are refused. */
    CHECK_OK(sv2_version_rolling_split(0x1fffe000u, 0, 1, &one));
    CHECK(one.mask == 0x1fffe000u && one.fixed_bits == 0);
    CHECK_RC(sv2_version_rolling_split(0x1fffe000u, 0, 0, &one), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_version_rolling_split(0x1fffe000u, 3, 3, &one), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_version_rolling_split(0, 0, 2, &one), SV2_ERR_ROLLING_NOT_ALLOWED);
    CHECK_RC(sv2_version_rolling_split(0x1fffe000u, 0, 65537, &one), SV2_ERR_ROLLING_NOT_ALLOWED);
    CHECK_RC(sv2_version_rolling_split(0x1fffe000u, 0, 2, NULL), SV2_ERR_NULL_ARG);
}

static void work_helpers(const sv2_work *w) {
    uint8_t header[80], hash[32], mid[32], mids[4 * 32];
    uint32_t versions[4];
    sv2_work copy;
    sv2_work *clone = NULL;

    CHECK_OK(sv2_work_header(w, 0x11223344u, w->min_ntime + 1, w->version | 0x2000, header));
    CHECK(le32(header + 76) == 0x11223344u);
    CHECK(le32(header + 68) == w->min_ntime + 1);
    CHECK(le32(header) == (w->version | 0x2000));
    CHECK(memcmp(header + 4, w->header + 4, 64) == 0);
    CHECK(le32(w->header + 72) == w->nbits);
    CHECK_OK(sv2_work_midstate(w, mid));
    CHECK_OK(sv2_work_rolled_midstates(w, 1, versions, mids));
    CHECK(versions[0] == w->version && memcmp(mids, mid, 32) == 0);
    CHECK(w->version_mask == 0x1fffe000u);
    CHECK_OK(sv2_work_rolled_midstates(w, 4, versions, mids));
    CHECK(versions[1] != versions[0] && ((versions[1] ^ w->version) & ~w->version_mask) == 0);
    CHECK(memcmp(mids + 32, mids, 32) != 0);
    CHECK_RC(sv2_work_rolled_midstates(w, 3, versions, mids), SV2_ERR_INVALID_ARG);
    CHECK(sv2_work_max_ntime(w, w->ntime_base_ms + 5500) == w->min_ntime + 5);
    CHECK(sv2_work_max_ntime(NULL, 0) == 0);
    /* A by-value copy hashes like the original. */
    copy = *w;
    CHECK_OK(sv2_work_hash(&copy, 1, w->min_ntime, w->version, hash));
    CHECK(sv2_work_meets_target(&copy, hash) == sv2_work_meets_target(w, hash));
    copy.version_mask = 0;
    CHECK_RC(sv2_work_rolled_midstates(&copy, 2, versions, mids), SV2_ERR_ROLLING_NOT_ALLOWED);
    /* Standard work has no extranonce; a copy without the private part cannot be changed. */
    CHECK_OK(sv2_work_clone(w, &clone));
    CHECK_RC(sv2_work_set_extranonce(clone, (const uint8_t *)"abcd", 4), SV2_ERR_NOT_EXTENDED);
    sv2_work_free(clone);
    copy.internal = NULL;
    CHECK_RC(sv2_work_set_extranonce(&copy, (const uint8_t *)"abcd", 4), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_clone(&copy, &clone), SV2_ERR_NULL_ARG);
    sv2_work_free(&copy); /* not a clone: ignored */
    /* Zero target: nothing meets it; all-ones: everything does. */
    memset(copy.target, 0, 32);
    CHECK(!sv2_work_meets_target(&copy, hash));
    memset(copy.target, 0xff, 32);
    CHECK(sv2_work_meets_target(&copy, hash));
    version_split(w);
}

static void targets(void) {
    uint8_t t[32], d1[32];
    double x = 0;
    CHECK_OK(sv2_target_from_nbits(0x1d00ffffu, d1));
    CHECK(sv2_target_to_difficulty(d1) == 1.0);
    CHECK_OK(sv2_target_from_difficulty(1.0, t));
    CHECK(memcmp(t, d1, 32) == 0);
    CHECK_OK(sv2_target_from_difficulty(1024.0, t));
    CHECK(sv2_target_to_difficulty(t) > 1023.9 && sv2_target_to_difficulty(t) < 1024.1);
    CHECK_RC(sv2_target_from_difficulty(0.0, t), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_target_from_difficulty(-1.0, t), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_target_from_nbits(0x1d80ffffu, t), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_target_from_share_rate(1e6, 0.5, t));
    CHECK_OK(sv2_target_share_rate(t, 1e6, &x));
    CHECK(x > 0.49 && x < 0.51);
    CHECK_OK(sv2_target_hashrate(t, 0.5, &x));
    CHECK(x > 0.99e6 && x < 1.01e6);
    CHECK_RC(sv2_target_from_share_rate(-1.0, 1.0, t), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_target_from_share_rate(1.0, 0.0, t), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_target_share_rate(NULL, 1.0, &x), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_target_hashrate(t, 1.0, NULL), SV2_ERR_NULL_ARG);
    CHECK(sv2_target_to_difficulty(NULL) == 0.0);
}

static void null_handles(void) {
    uint8_t buf[80], key[32];
    size_t n = 7;
    uint64_t u = 9, conn = 9;
    uint32_t v = 0;
    sv2_miner_event mev;
    sv2_pool_event pev;
    sv2_share_receipt receipt;
    sv2_miner_config *mc = NULL;
    sv2_pool_config *pc = NULL;
    sv2_miner *m = NULL;
    sv2_pool *p = NULL;
    sv2_template_source *src = NULL;
    sv2_work w;
    memset(key, 0, sizeof key);
    memset(&w, 0, sizeof w);

    sv2_miner_free(NULL);
    sv2_miner_config_free(NULL);
    sv2_pool_free(NULL);
    sv2_pool_config_free(NULL);
    sv2_template_source_free(NULL);
    sv2_work_free(NULL);

    CHECK_RC(sv2_miner_config_new(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_set_pool_url(NULL, "stratum2+tcp+plain://h:1"), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_set_authority_key(NULL, key), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_set_plaintext(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_set_device(NULL, "a", "b", "c", "d"), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_set_flags(NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_add_standard_channel(NULL, "u", 1.0f, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_config_add_extended_channel(NULL, "u", 1.0f, NULL, 4), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_new(NULL, NOW_UNIX, 0, &m), SV2_ERR_NULL_ARG);
    CHECK(m == NULL);
    CHECK_RC(sv2_miner_receive_data(NULL, buf, 1, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_data_to_send(NULL, buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK(n == 7);
    CHECK_RC(sv2_miner_next_event(NULL, &mev), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_poll_timeout(NULL, &u), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_handle_timeout(NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_peer_closed(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_reconnect(NULL, 0, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_set_endpoint(NULL, "h", 1), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_submit_standard(NULL, 1, 1, 0, 0, 0, 0, &receipt), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_submit_extended(NULL, 1, 1, buf, 4, 0, 0, 0, 0, &receipt), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_open_standard_channel(NULL, "u", 1.0f, NULL, &v), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_open_extended_channel(NULL, "u", 1.0f, NULL, 4, &v), SV2_ERR_NULL_ARG);
    CHECK(!sv2_miner_wants_write(NULL));
    CHECK(!sv2_miner_is_ready(NULL));
    CHECK(sv2_miner_pending_shares(NULL, 1) == 0);
    CHECK(sv2_miner_last_error(NULL) != NULL);
    CHECK(sv2_miner_config_last_error(NULL) != NULL);

    CHECK_RC(sv2_pool_config_new(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_noise(NULL, key, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_plaintext(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_vardiff(NULL, true, 1.0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_new(NULL, &p), SV2_ERR_NULL_ARG);
    CHECK(p == NULL);
    CHECK_RC(sv2_pool_accept(NULL, 0, &conn), SV2_ERR_NULL_ARG);
    CHECK(conn == 9);
    CHECK_RC(sv2_pool_receive_data(NULL, 1, buf, 1, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_data_to_send(NULL, 1, buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_next_event(NULL, &pev), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_poll_timeout(NULL, &u), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_handle_timeout(NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_remove(NULL, 1), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_peer_closed(NULL, 1), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_close(NULL, 1), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_reconnect(NULL, 1, NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_new_template(NULL, NULL, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_set_prev_hash(NULL, NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_next_synthetic_block(NULL, NULL, 0, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_snapshot(NULL, 0, NULL, 0, &n, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_set_target(NULL, 1, 1, key, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK(!sv2_pool_wants_write(NULL, 1));
    CHECK(sv2_pool_connection_count(NULL) == 0);
    CHECK(sv2_pool_last_error(NULL) != NULL);
    CHECK(sv2_pool_config_last_error(NULL) != NULL);

    CHECK_RC(sv2_template_source_new(1, 1, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_source_advance(NULL, key), SV2_ERR_NULL_ARG);
    CHECK(sv2_template_source_height(NULL) == 0);

    CHECK_RC(sv2_work_header(NULL, 0, 0, 0, buf), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_header(&w, 0, 0, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_hash(NULL, 0, 0, 0, buf), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_midstate(NULL, buf), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_rolled_midstates(&w, 1, NULL, buf), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_set_extranonce(NULL, buf, 4), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_work_clone(NULL, NULL), SV2_ERR_NULL_ARG);
    CHECK(!sv2_work_meets_target(NULL, buf));
    CHECK(!sv2_work_meets_target(&w, NULL));
    CHECK(!sv2_work_is_block(NULL, buf));

    /* Handles that exist, NULL outputs and buffers. */
    CHECK_OK(sv2_miner_config_new(&mc));
    CHECK_OK(sv2_miner_config_set_plaintext(mc));
    CHECK_OK(sv2_miner_config_add_standard_channel(mc, "u", 1.0f, NULL));
    CHECK_RC(sv2_miner_new(mc, NOW_UNIX, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_miner_new(mc, NOW_UNIX, 0, &m));
    CHECK_RC(sv2_miner_data_to_send(m, NULL, 10, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_data_to_send(m, buf, sizeof buf, NULL), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_miner_data_to_send(m, NULL, 0, &n));
    CHECK(n == 0);
    CHECK_RC(sv2_miner_receive_data(m, NULL, 5, 0), SV2_ERR_NULL_ARG);
    /* recv()'s -1 stored in a size_t: refused, not read (the firmware guide's old loop). */
    CHECK_RC(sv2_miner_receive_data(m, buf, (size_t)-1, 0), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_data_to_send(m, buf, (size_t)-1, &n), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_next_event(m, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_open_standard_channel(m, NULL, 1.0f, NULL, &v), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_open_standard_channel(m, "u", 1.0f, NULL, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_miner_submit_extended(m, 1, 1, NULL, 4, 0, 0, 0, 0, NULL), SV2_ERR_NULL_ARG);
    sv2_miner_free(m);
    sv2_miner_config_free(mc);

    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_OK(sv2_pool_config_set_plaintext(pc));
    CHECK_OK(sv2_pool_new(pc, &p));
    CHECK_OK(sv2_template_source_new(1, 10, &src));
    CHECK_RC(sv2_pool_accept(p, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_next_event(p, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_snapshot(p, 0, NULL, 0, NULL, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_next_synthetic_block(p, NULL, NOW_UNIX, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_next_synthetic_block(NULL, src, NOW_UNIX, 0), SV2_ERR_NULL_ARG);
    sv2_template_source_free(src);
    sv2_pool_free(p);
    sv2_pool_config_free(pc);
}

static void configs(void) {
    sv2_miner_config *mc = NULL;
    sv2_pool_config *pc = NULL;
    sv2_miner *m = (sv2_miner *)&m;
    sv2_miner *untouched = m;
    sv2_pool *p = NULL;
    char long_name[300];
    uint8_t zero[32], ones[32];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    memset(zero, 0, sizeof zero);
    memset(ones, 0xff, sizeof ones);

    CHECK_OK(sv2_miner_config_new(&mc));
    /* Neither a pool nor a channel yet: refused, output untouched. */
    CHECK_RC(sv2_miner_new(mc, NOW_UNIX, 0, &m), SV2_ERR_INVALID_CONFIG);
    CHECK(m == untouched);
    CHECK_OK(sv2_miner_config_add_standard_channel(mc, "u", 1.0f, NULL));
    CHECK_RC(sv2_miner_new(mc, NOW_UNIX, 0, &m), SV2_ERR_INVALID_CONFIG);
    CHECK(m == untouched);
    CHECK_RC(sv2_miner_config_set_pool_url(mc, "http://pool:1"), SV2_ERR_URL_SCHEME);
    CHECK(strlen(sv2_miner_config_last_error(mc)) > 0);
    CHECK_RC(sv2_miner_config_set_pool_url(mc, "stratum2+tcp://pool.example.com/abc"), SV2_ERR_URL_PORT);
    CHECK_RC(sv2_miner_config_set_pool_url(mc, "stratum2+tcp://pool.example.com:3336"), SV2_ERR_URL_KEY);
    CHECK_RC(sv2_miner_config_set_pool_url(mc, "stratum2+tcp://pool.example.com:3336/notakey"), SV2_ERR_URL_KEY);
    CHECK_RC(sv2_miner_config_set_device(mc, long_name, NULL, NULL, NULL), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_config_add_standard_channel(mc, long_name, 1.0f, NULL), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_config_add_standard_channel(mc, "u", -1.0f, NULL), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_config_add_extended_channel(mc, "u", 1.0f, NULL, 33), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_config_set_dialect(mc, 9), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_miner_config_set_timeouts(mc, 1000, 1000, 0));
    CHECK_OK(sv2_miner_config_set_pool_url(mc, "stratum2+tcp+plain://127.0.0.1:3336"));
    CHECK_OK(sv2_miner_new(mc, NOW_UNIX, 0, &m));
    CHECK(m != untouched);
    sv2_miner_free(m);
    sv2_miner_config_free(mc);

    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_RC(sv2_pool_new(pc, &p), SV2_ERR_INVALID_CONFIG);
    CHECK(p == NULL);
    CHECK_OK(sv2_pool_config_set_plaintext(pc));
    CHECK_RC(sv2_pool_config_set_vardiff(pc, true, 0.0), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_ack_batch(pc, 0, 10), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_success_flags(pc, 0x80), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_block_difficulty_factor(NULL, 1000.0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_block_difficulty_factor(pc, 0.5), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_block_difficulty_factor(pc, -1000.0), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_pool_config_set_block_difficulty_factor(pc, 1000.0));
    CHECK_RC(sv2_pool_config_set_target_bounds(pc, zero, ones), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_target_bounds(pc, ones, zero), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_coinbase(pc, NULL, 0, NULL, 0), SV2_ERR_INVALID_ARG);
    CHECK(strlen(sv2_pool_config_last_error(pc)) > 0);
    /* A coinbase tag too long for the scriptSig: refused when the pool is made. */
    CHECK_OK(sv2_pool_config_set_coinbase(pc, (const uint8_t *)long_name, 200, (const uint8_t *)"\x51", 1));
    CHECK_RC(sv2_pool_new(pc, &p), SV2_ERR_INVALID_CONFIG);
    CHECK(p == NULL);
    sv2_pool_config_free(pc);
}

static void mine_and_misuse(void) {
    uint8_t authority[32], buf[64], target[32];
    sv2_pool *p;
    sv2_miner *m;
    sv2_template_source *src = NULL;
    sv2_share_receipt receipt;
    sv2_channel_stats stats[2];
    sv2_pool_summary summary;
    uint64_t conn = 0, deadline = 0;
    size_t n = 0;
    uint32_t nonce, ch, job, request_id = 0;
    sv2_work w;
    sv2_new_template tmpl;
    sv2_tdp_set_new_prev_hash ph;

    reset_seen();
    p = make_pool(authority);
    m = make_miner(authority, 0);
    CHECK_OK(sv2_template_source_new(7, 200, &src));
    CHECK(sv2_template_source_height(src) == 200);
    /* Regtest difficulty set explicitly: this test wants its first share to be a block (the
     * default network is the block difficulty factor, 1000, times harder than the shares). */
    CHECK_RC(sv2_template_source_set_nbits(NULL, 0x207fffff), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_template_source_set_nbits(src, 0), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_template_source_set_nbits(src, 0x207fffff));

    /* Wrong state on a fresh pool: a non-future template before any prevhash, a prevhash for
     * a template it never got. */
    memset(&tmpl, 0, sizeof tmpl);
    tmpl.template_id = 99;
    tmpl.version = 0x20000000;
    tmpl.coinbase_prefix = sv2_bytes_from_str("\x01\x64");
    tmpl.coinbase_tx_value_remaining = 5000000000u;
    CHECK_RC(sv2_pool_new_template(p, &tmpl, 0, NULL), SV2_ERR_NO_PREV_HASH);
    memset(&ph, 0, sizeof ph);
    ph.template_id = 12345;
    ph.n_bits = 0x207fffff;
    CHECK_RC(sv2_pool_set_prev_hash(p, &ph, 0), SV2_ERR_UNKNOWN_TEMPLATE);
    CHECK(strlen(sv2_pool_last_error(p)) > 0);
    /* A real template through the TDP views: future, then its prevhash. */
    tmpl.template_id = 1;
    tmpl.future_template = true;
    CHECK_OK(sv2_pool_new_template(p, &tmpl, 0, &job));
    ph.template_id = 1;
    ph.header_timestamp = NOW_UNIX;
    CHECK_OK(sv2_target_from_nbits(ph.n_bits, ph.target));
    CHECK_OK(sv2_pool_set_prev_hash(p, &ph, 0));
    /* And the synthetic source on top. */
    CHECK_OK(sv2_pool_next_synthetic_block(p, src, NOW_UNIX, 0));

    CHECK_OK(sv2_pool_accept(p, 0, &conn));
    CHECK(sv2_pool_connection_count(p) == 1);
    CHECK_RC(sv2_pool_receive_data(p, conn + 100, buf, 1, 0), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK_RC(sv2_pool_data_to_send(p, conn + 100, buf, sizeof buf, &n), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK_RC(sv2_pool_reconnect(p, conn + 100, NULL, 0), SV2_ERR_UNKNOWN_CONNECTION);

    /* Before setup: submitting is the wrong state. */
    CHECK_RC(sv2_miner_submit_standard(m, 1, 1, 0, NOW_UNIX, 0x20000000, 0, &receipt), SV2_ERR_WRONG_STATE);
    CHECK(strlen(sv2_miner_last_error(m)) > 0);
    CHECK(sv2_miner_wants_write(m));
    CHECK_OK(sv2_miner_poll_timeout(m, &deadline));
    CHECK(deadline != SV2_NO_TIMEOUT);

    pump_mining(m, p, conn, 10);
    CHECK(seen.miner[SV2_MINER_EVENT_HANDSHAKE_COMPLETE] == 1);
    CHECK(seen.miner[SV2_MINER_EVENT_SETUP_COMPLETE] == 1);
    CHECK(seen.miner[SV2_MINER_EVENT_CHANNEL_OPENED] == 1);
    CHECK(seen.miner[SV2_MINER_EVENT_NEW_WORK] >= 1);
    CHECK(seen.pool[SV2_POOL_EVENT_CONNECTED] == 1 && seen.conn == conn);
    CHECK(seen.pool[SV2_POOL_EVENT_CHANNEL_OPENED] == 1);
    CHECK(sv2_miner_is_ready(m));
    CHECK(seen.work != NULL);
    if (!seen.work) {
        goto out;
    }
    w = *seen.work;
    ch = w.channel_id;
    CHECK(ch == seen.channel_id && !w.extended && w.min_ntime == NOW_UNIX);
    work_helpers(seen.work);

    /* A real share, then local refusals, each with its code and nothing sent. */
    nonce = find_nonce(&w, 0, 1);
    CHECK_OK(sv2_miner_submit_standard(m, ch, w.job_id, nonce, w.min_ntime, w.version, 20, &receipt));
    CHECK(receipt.channel_id == ch && receipt.job_id == w.job_id && receipt.is_block);
    CHECK(sv2_miner_pending_shares(m, ch) == 1);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id, nonce, w.min_ntime, w.version, 20, NULL),
             SV2_ERR_DUPLICATE_SHARE);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id, find_nonce(&w, 0, 0), w.min_ntime, w.version, 20, NULL),
             SV2_ERR_BELOW_TARGET);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id, nonce, w.min_ntime, w.version ^ 1u, 20, NULL),
             SV2_ERR_VERSION_NOT_ALLOWED);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id, nonce, w.min_ntime + 100, w.version, 20, NULL),
             SV2_ERR_NTIME_OUT_OF_RANGE);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id + 50, nonce, w.min_ntime, w.version, 20, NULL),
             SV2_ERR_UNKNOWN_JOB);
    CHECK_RC(sv2_miner_submit_standard(m, ch + 50, w.job_id, nonce, w.min_ntime, w.version, 20, NULL),
             SV2_ERR_UNKNOWN_CHANNEL);
    CHECK_RC(sv2_miner_submit_extended(m, ch, w.job_id, buf, 4, nonce, w.min_ntime, w.version, 20, NULL),
             SV2_ERR_WRONG_CHANNEL_KIND);
    CHECK(sv2_miner_pending_shares(m, ch) == 1);

    pump_mining(m, p, conn, 30);
    CHECK(seen.pool[SV2_POOL_EVENT_SHARE_ACCEPTED] == 1);
    CHECK(seen.pool[SV2_POOL_EVENT_BLOCK_FOUND] == 1);
    CHECK(memcmp(seen.block_header + 4, w.header + 4, 32) == 0);
    CHECK(sv2_work_is_block(&w, seen.block_hash));
    /* The acknowledgement is batched: it comes with the flush timer. */
    CHECK_OK(sv2_pool_poll_timeout(p, &deadline));
    CHECK(deadline <= 530);
    CHECK_OK(sv2_pool_handle_timeout(p, 600));
    CHECK_OK(sv2_miner_handle_timeout(m, 600));
    pump_mining(m, p, conn, 600);
    CHECK(seen.miner[SV2_MINER_EVENT_SHARE_ACCEPTED] == 1);
    CHECK(seen.miner[SV2_MINER_EVENT_SHARES_ACKNOWLEDGED] == 1);
    CHECK(sv2_miner_pending_shares(m, ch) == 0);

    /* Snapshot: asking for the size, then reading. */
    n = 0;
    CHECK_RC(sv2_pool_snapshot(p, 600, NULL, 0, &n, &summary), SV2_ERR_BUFFER_TOO_SMALL);
    CHECK(n == 1);
    CHECK_OK(sv2_pool_snapshot(p, 600, stats, 2, &n, &summary));
    CHECK(n == 1 && summary.channels == 1 && summary.connections == 1 && summary.blocks_found == 1);
    CHECK(stats[0].conn == conn && stats[0].channel_id == ch && stats[0].shares_accepted == 1);
    CHECK(bytes_eq(stats[0].user_identity, "alice.rig1") && !stats[0].extended);
    CHECK(stats[0].blocks_found == 1);
    CHECK_OK(sv2_pool_set_target(p, conn, ch, stats[0].target, 600, target));
    CHECK_RC(sv2_pool_set_target(p, conn, ch + 9, stats[0].target, 600, NULL), SV2_ERR_UNKNOWN_CHANNEL);

    /* A new block makes the old work stale locally. */
    CHECK_OK(sv2_template_source_advance(src, seen.block_hash));
    CHECK_OK(sv2_pool_next_synthetic_block(p, src, NOW_UNIX + 1, 700));
    pump_mining(m, p, conn, 700);
    CHECK(seen.work && seen.work->clean && seen.work->job_id != w.job_id);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id, find_nonce(&w, nonce + 1, 1), w.min_ntime, w.version, 700, NULL),
             SV2_ERR_STALE_JOB);

    /* Reconnect: the pool asks, the miner starts over on a "new socket" (a new conn). */
    CHECK_OK(sv2_pool_reconnect(p, conn, NULL, 0));
    pump_mining(m, p, conn, 800);
    CHECK(seen.miner[SV2_MINER_EVENT_RECONNECT] == 1);
    CHECK(seen.reconnect_host_len == 0 && seen.reconnect_port == 0);
    CHECK_OK(sv2_pool_close(p, conn));
    pump_mining(m, p, conn, 800);
    CHECK_OK(sv2_pool_remove(p, conn));
    CHECK_RC(sv2_pool_remove(p, conn), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK_RC(sv2_miner_set_endpoint(m, NULL, 1), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_miner_set_endpoint(m, "pool2.example", 3337));
    CHECK_OK(sv2_miner_reconnect(m, 1700000000u, 900));
    CHECK_OK(sv2_pool_accept(p, 900, &conn));
    pump_mining(m, p, conn, 900);
    CHECK(seen.miner[SV2_MINER_EVENT_HANDSHAKE_COMPLETE] == 2);
    CHECK(seen.miner[SV2_MINER_EVENT_CHANNEL_OPENED] == 2);
    CHECK(seen.pool[SV2_POOL_EVENT_CONNECTED] == 2);

    /* Another channel now, and after close: use after close. */
    CHECK_OK(sv2_miner_open_standard_channel(m, "alice.rig1", 10.0f, NULL, &request_id));
    pump_mining(m, p, conn, 950);
    CHECK(seen.miner[SV2_MINER_EVENT_CHANNEL_OPENED] == 3 && seen.opened_request_id == request_id);
    CHECK_OK(sv2_pool_close(p, conn));
    pump_mining(m, p, conn, 1000);
    CHECK_OK(sv2_miner_peer_closed(m));
    drain_miner(m);
    CHECK(seen.miner[SV2_MINER_EVENT_CLOSED] >= 1);
    CHECK(!sv2_miner_is_ready(m));
    CHECK(strlen(sv2_miner_last_error(m)) > 0);
    CHECK_RC(sv2_miner_submit_standard(m, ch, w.job_id, nonce, w.min_ntime, w.version, 1000, NULL),
             SV2_ERR_WRONG_STATE);
    CHECK_RC(sv2_miner_receive_data(m, buf, 8, 1000), SV2_ERR_CLOSED);
    CHECK(seen.pool[SV2_POOL_EVENT_CLOSED] >= 2);
    CHECK_OK(sv2_pool_remove(p, conn));
    CHECK_RC(sv2_pool_receive_data(p, conn, buf, 8, 1000), SV2_ERR_UNKNOWN_CONNECTION);
    CHECK(sv2_pool_connection_count(p) == 0);

out:
    reset_seen();
    sv2_template_source_free(src);
    sv2_miner_free(m);
    sv2_pool_free(p);
}

static void extended_channel(void) {
    uint8_t authority[32], en[32], before[80];
    size_t size;
    sv2_pool *p;
    sv2_miner *m;
    sv2_template_source *src = NULL;
    sv2_share_receipt receipt;
    uint64_t conn = 0;
    uint32_t nonce;
    sv2_work *w;

    reset_seen();
    p = make_pool(authority);
    m = make_miner(authority, 1);
    CHECK_OK(sv2_template_source_new(8, 300, &src));
    CHECK_OK(sv2_pool_next_synthetic_block(p, src, NOW_UNIX, 0));
    CHECK_OK(sv2_pool_accept(p, 0, &conn));
    pump_mining(m, p, conn, 10);
    w = seen.work;
    CHECK(w != NULL);
    if (!w) {
        goto out;
    }
    /* The pool grants at least the 4 bytes asked for (its default is 8). */
    size = w->extranonce_size;
    CHECK(w->extended && size >= 4 && size <= 32 && w->extranonce_prefix_len > 0);
    memset(en, 0xab, sizeof en);
    memcpy(before, w->header, 80);
    CHECK_RC(sv2_work_set_extranonce(w, en, size - 1), SV2_ERR_EXTRANONCE_LENGTH);
    CHECK(memcmp(before, w->header, 80) == 0);
    CHECK_OK(sv2_work_set_extranonce(w, en, size));
    CHECK(memcmp(before + 36, w->header + 36, 32) != 0); /* a new merkle root */
    CHECK(memcmp(w->extranonce, en, size) == 0);
    nonce = find_nonce(w, 0, 1);
    CHECK_RC(sv2_miner_submit_extended(m, w->channel_id, w->job_id, en, size - 1, nonce, w->min_ntime, w->version, 20, NULL),
             SV2_ERR_EXTRANONCE_LENGTH);
    CHECK_RC(sv2_miner_submit_standard(m, w->channel_id, w->job_id, nonce, w->min_ntime, w->version, 20, NULL),
             SV2_ERR_WRONG_CHANNEL_KIND);
    CHECK_OK(sv2_miner_submit_extended(m, w->channel_id, w->job_id, en, size, nonce, w->min_ntime, w->version, 20, &receipt));
    pump_mining(m, p, conn, 20);
    CHECK_OK(sv2_pool_handle_timeout(p, 600));
    pump_mining(m, p, conn, 600);
    CHECK(seen.pool[SV2_POOL_EVENT_SHARE_ACCEPTED] == 1);
    CHECK(seen.miner[SV2_MINER_EVENT_SHARE_ACCEPTED] == 1);
    {
        /* A by-value copy outliving its clone: freeing it is a no-op that reads no freed
         * memory (valgrind checks this run). */
        sv2_work *c = NULL;
        sv2_work copy;
        CHECK_OK(sv2_work_clone(w, &c));
        if (c) {
            copy = *c;
            sv2_work_free(c);
            sv2_work_free(&copy);
        }
    }
out:
    reset_seen();
    sv2_template_source_free(src);
    sv2_miner_free(m);
    sv2_pool_free(p);
}

/* R55: a client that sets up and asks for no channel is closed by the pool after the
 * open-channel timeout; a CLOSED event carries SV2_ERR_TIMEOUT_OPEN_CHANNEL. */
static void open_channel_timeout(void) {
    sv2_pool_config *pc = NULL;
    sv2_pool *p = NULL;
    sv2_client_config *cc = NULL;
    sv2_session *client = NULL;
    sv2_pool_event ev;
    uint8_t buf[512];
    size_t n = 0;
    uint64_t conn = 0, deadline = 0;
    int round, closed = 0;

    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_OK(sv2_pool_config_set_plaintext(pc));
    CHECK_OK(sv2_pool_config_set_open_channel_timeout(pc, 1000));
    CHECK_OK(sv2_pool_new(pc, &p));
    sv2_pool_config_free(pc);
    CHECK_OK(sv2_client_config_new(&cc));
    CHECK_OK(sv2_client_config_set_plaintext(cc));
    CHECK_OK(sv2_client_config_set_protocol(cc, SV2_PROTOCOL_MINING, 0));
    CHECK_OK(sv2_session_new_client(cc, NOW_UNIX, 0, &client));
    sv2_client_config_free(cc);
    if (!p || !client) {
        goto out;
    }
    CHECK_OK(sv2_pool_accept(p, 0, &conn));
    for (round = 0; round < 4; round++) {
        while (sv2_session_data_to_send(client, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            CHECK_OK(sv2_pool_receive_data(p, conn, buf, n, 5));
        }
        while (sv2_pool_next_event(p, &ev) == SV2_OK && ev.type != SV2_POOL_EVENT_NONE) {
            CHECK(ev.type == SV2_POOL_EVENT_CONNECTED);
        }
        while (sv2_pool_data_to_send(p, conn, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            CHECK_OK(sv2_session_receive_data(client, buf, n, 5));
        }
    }
    CHECK(sv2_session_is_ready(client));
    CHECK_OK(sv2_pool_poll_timeout(p, &deadline));
    CHECK(deadline == 1005);
    CHECK_OK(sv2_pool_handle_timeout(p, 1004));
    CHECK_OK(sv2_pool_handle_timeout(p, 1005));
    while (sv2_pool_next_event(p, &ev) == SV2_OK && ev.type != SV2_POOL_EVENT_NONE) {
        if (ev.type == SV2_POOL_EVENT_CLOSED) {
            closed++;
            CHECK(ev.conn == conn && ev.close_reason == SV2_CLOSE_ERROR);
            CHECK(ev.error == SV2_ERR_TIMEOUT_OPEN_CHANNEL);
        }
    }
    CHECK(closed == 1);
out:
    sv2_session_free(client);
    sv2_pool_free(p);
}

/* Issue 13 items 5 and 6: a C pool can allow work selection (SRI's mining proxy sets up with
 * flags 6 and was refused) and ignore or cap the clients' max_target (SRI's mining device asks
 * for 0x0237 << 192, difficulty 7.6 M, for a CPU miner). */
static unsigned long interop_pool(int allow_work_selection, uint32_t policy, const uint8_t *cap,
                                  uint8_t target_out[32]) {
    sv2_pool_config *pc = NULL;
    sv2_pool *p = NULL;
    sv2_miner_config *mc = NULL;
    sv2_miner *m = NULL;
    sv2_pool_event ev;
    uint8_t buf[700];
    uint8_t sri_max[32];
    size_t n = 0;
    uint64_t conn = 0;
    unsigned long opened = 0;
    int round;

    memset(sri_max, 0, sizeof sri_max);
    sri_max[25] = 0x37; /* little-endian 0x0237 << 192 */
    sri_max[24] = 0x02;
    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_OK(sv2_pool_config_set_plaintext(pc));
    CHECK_OK(sv2_pool_config_set_vardiff(pc, false, 10.0));
    CHECK_OK(sv2_pool_config_set_allow_work_selection(pc, allow_work_selection));
    CHECK_OK(sv2_pool_config_set_client_max_target(pc, policy, cap));
    CHECK_OK(sv2_pool_new(pc, &p));
    sv2_pool_config_free(pc);
    CHECK_OK(sv2_miner_config_new(&mc));
    CHECK_OK(sv2_miner_config_set_plaintext(mc));
    CHECK_OK(sv2_miner_config_set_device(mc, "test-fw", "hw", "1.0", "dev"));
    CHECK_OK(sv2_miner_config_set_flags(mc, SV2_MINING_REQUIRES_WORK_SELECTION |
                                                SV2_MINING_REQUIRES_VERSION_ROLLING));
    CHECK_OK(sv2_miner_config_add_standard_channel(mc, "cpu.miner", 1000.0f, sri_max));
    CHECK_OK(sv2_miner_new(mc, NOW_UNIX, 0, &m));
    sv2_miner_config_free(mc);
    if (!p || !m) {
        goto out;
    }
    CHECK_OK(sv2_pool_accept(p, 0, &conn));
    for (round = 0; round < 8; round++) {
        while (sv2_miner_data_to_send(m, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            if (sv2_pool_receive_data(p, conn, buf, n, 5) != SV2_OK) {
                break; /* refused setup: the pool closes the connection */
            }
        }
        while (sv2_pool_next_event(p, &ev) == SV2_OK && ev.type != SV2_POOL_EVENT_NONE) {
            if (ev.type == SV2_POOL_EVENT_CHANNEL_OPENED) {
                opened++;
                memcpy(target_out, ev.target, 32);
            }
        }
        while (sv2_pool_data_to_send(p, conn, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            if (sv2_miner_receive_data(m, buf, n, 5) != SV2_OK) {
                break;
            }
        }
        drain_miner(m);
    }
out:
    reset_seen();
    sv2_miner_free(m);
    sv2_pool_free(p);
    return opened;
}

static void interop_settings(void) {
    sv2_pool_config *pc = NULL;
    uint8_t target[32], cap[32];
    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_RC(sv2_pool_config_set_allow_work_selection(NULL, true), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_client_max_target(NULL, SV2_CLIENT_MAX_TARGET_IGNORE, NULL),
             SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_client_max_target(pc, SV2_CLIENT_MAX_TARGET_CAP, NULL),
             SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_client_max_target(pc, 7, NULL), SV2_ERR_INVALID_ARG);
    sv2_pool_config_free(pc);

    /* Work selection refused by default: no channel ever opens. */
    CHECK(interop_pool(0, SV2_CLIENT_MAX_TARGET_HONOUR, NULL, target) == 0);
    /* Allowed: the channel opens, at the client's max_target (honoured, the spec). */
    CHECK(interop_pool(1, SV2_CLIENT_MAX_TARGET_HONOUR, NULL, target) == 1);
    CHECK(target[25] == 0x37 && target[24] == 0x02 && target[31] == 0);
    /* Ignored: the target follows the nominal hash rate (1000 h/s: about 2^243), far easier
     * than what the client asked for. */
    CHECK(interop_pool(1, SV2_CLIENT_MAX_TARGET_IGNORE, NULL, target) == 1);
    CHECK(target[31] == 0 && target[30] >= 0x08);
    /* Capped at 2^240 - 1: harder than the rate's target, easier than the client's. */
    memset(cap, 0xff, sizeof cap);
    cap[31] = 0x00;
    cap[30] = 0x00;
    CHECK(interop_pool(1, SV2_CLIENT_MAX_TARGET_CAP, cap, target) == 1);
    CHECK(memcmp(target, cap, 32) == 0);
}

/* Issue 13 item 8: a server that never answers OpenExtendedMiningChannel (braiins' 2021
 * proxy) makes the open fail after the miner's open-channel timeout, naming the request. */
static void open_channel_unanswered(void) {
    sv2_server_config *sc = NULL;
    sv2_session *server = NULL;
    sv2_miner_config *mc = NULL;
    sv2_miner *m = NULL;
    sv2_miner_event ev;
    sv2_event sev;
    uint8_t buf[700];
    size_t n = 0;
    uint64_t deadline = 0;
    int round, failed = 0;

    CHECK_OK(sv2_server_config_new(&sc));
    CHECK_OK(sv2_server_config_set_plaintext(sc));
    CHECK_OK(sv2_server_config_set_protocol(sc, SV2_PROTOCOL_MINING, 0x7, 0));
    CHECK_OK(sv2_session_new_server(sc, 0, &server));
    sv2_server_config_free(sc);
    CHECK_OK(sv2_miner_config_new(&mc));
    CHECK_OK(sv2_miner_config_set_plaintext(mc));
    CHECK_RC(sv2_miner_config_set_open_channel_timeout(NULL, 1), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_miner_config_set_open_channel_timeout(mc, 5000));
    CHECK_OK(sv2_miner_config_add_extended_channel(mc, "bob.proxy", 1e12f, NULL, 4));
    CHECK_OK(sv2_miner_new(mc, NOW_UNIX, 0, &m));
    sv2_miner_config_free(mc);
    if (!server || !m) {
        goto out;
    }
    for (round = 0; round < 6; round++) {
        while (sv2_miner_data_to_send(m, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            CHECK_OK(sv2_session_receive_data(server, buf, n, 10));
        }
        /* The server reads everything and answers nothing but SetupConnection. */
        while (sv2_session_next_event(server, &sev) == SV2_OK && sev.type != SV2_EVENT_NONE) {
        }
        while (sv2_session_data_to_send(server, buf, sizeof buf, &n) == SV2_OK && n > 0) {
            CHECK_OK(sv2_miner_receive_data(m, buf, n, 10));
        }
        while (sv2_miner_next_event(m, &ev) == SV2_OK && ev.type != SV2_MINER_EVENT_NONE) {
        }
    }
    CHECK_OK(sv2_miner_poll_timeout(m, &deadline));
    CHECK(deadline == 5010);
    CHECK_OK(sv2_miner_handle_timeout(m, 5010));
    while (sv2_miner_next_event(m, &ev) == SV2_OK && ev.type != SV2_MINER_EVENT_NONE) {
        if (ev.type == SV2_MINER_EVENT_CHANNEL_OPEN_FAILED) {
            failed++;
            CHECK(ev.request_id == 1 && ev.extended && ev.error == SV2_ERR_TIMEOUT_OPEN_CHANNEL);
            CHECK(bytes_eq(ev.text, "no answer to OpenExtendedMiningChannel request 1 (user "
                                    "'bob.proxy') within 5000 ms"));
        }
    }
    CHECK(failed == 1);
out:
    sv2_session_free(server);
    sv2_miner_free(m);
}

/* Issue 13 item 9: the miner and pool configs take the same Noise settings as the session
 * configs and the Python and Node configs (profile override, ciphers by wire or Noise name,
 * negotiation on/off, SetupConnection versions). Returns how many handshakes completed. */
static unsigned long miner_pool_handshake(const char *miner_profile, sv2_dialect miner_dialect,
                                          const char *miner_ciphers, bool negotiate,
                                          const char *pool_ciphers, bool pool_accepts_bare) {
    uint8_t seed[32], auth_secret[32], auth_public[32], srv_secret[32], srv_public[32];
    sv2_certificate cert;
    sv2_pool_config *pc = NULL;
    sv2_miner_config *mc = NULL;
    sv2_pool *p = NULL;
    sv2_miner *m = NULL;
    uint64_t conn = 0;
    reset_seen();
    memset(seed, 3, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, auth_secret, auth_public));
    seed[0] = 4;
    CHECK_OK(sv2_server_key_generate(seed, srv_secret, srv_public));
    CHECK_OK(sv2_certificate_sign(auth_secret, srv_public, NOW_UNIX - 10, NOW_UNIX + 3600, &cert));
    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_OK(sv2_pool_config_set_noise(pc, srv_secret, &cert));
    CHECK_OK(sv2_pool_config_set_ciphers(pc, pool_ciphers));
    CHECK_OK(sv2_pool_config_set_negotiation(pc, pool_accepts_bare));
    CHECK_OK(sv2_pool_config_set_noise_profile(pc, "Braiins-2021"));
    CHECK_OK(sv2_pool_new(pc, &p));
    sv2_pool_config_free(pc);
    CHECK_OK(sv2_miner_config_new(&mc));
    CHECK_OK(sv2_miner_config_set_authority_key(mc, auth_public));
    CHECK_OK(sv2_miner_config_set_device(mc, "test-fw", "hw", "1.0", "dev"));
    CHECK_OK(sv2_miner_config_add_standard_channel(mc, "alice.rig1", 1000.0f, NULL));
    CHECK_OK(sv2_miner_config_set_dialect(mc, miner_dialect));
    CHECK_OK(sv2_miner_config_set_noise_profile(mc, miner_profile));
    CHECK_OK(sv2_miner_config_set_ciphers(mc, miner_ciphers));
    CHECK_OK(sv2_miner_config_set_negotiation(mc, negotiate));
    CHECK_OK(sv2_miner_config_set_versions(mc, 2, 2));
    if (sv2_miner_new(mc, NOW_UNIX, 0, &m) != SV2_OK) {
        sv2_miner_config_free(mc);
        sv2_pool_free(p);
        return 99;
    }
    sv2_miner_config_free(mc);
    CHECK_OK(sv2_pool_accept(p, 0, &conn));
    pump_mining(m, p, conn, 10);
    sv2_miner_free(m);
    sv2_pool_free(p);
    return seen.miner[SV2_MINER_EVENT_HANDSHAKE_COMPLETE];
}

static void noise_settings(void) {
    sv2_miner_config *mc = NULL;
    sv2_pool_config *pc = NULL;
    /* Ciphers by either name, any case; no common cipher means no handshake. */
    CHECK(miner_pool_handshake(NULL, SV2_DIALECT_SPEC, "aesgcm", true, "AESG", true) == 1);
    CHECK(miner_pool_handshake(NULL, SV2_DIALECT_SPEC, "AESG", true, "ChaChaPoly", true) == 0);
    /* No negotiation: only under the braiins-2021 negotiation (dialect or override), and only
     * with a pool that accepts it. */
    CHECK(miner_pool_handshake(NULL, SV2_DIALECT_SPEC, NULL, false, NULL, true) == 99);
    CHECK(miner_pool_handshake(NULL, SV2_DIALECT_BRAIINS_2021, NULL, false, NULL, true) == 1);
    CHECK(miner_pool_handshake("braiins-2021", SV2_DIALECT_SPEC, NULL, false, NULL, true) == 1);
    CHECK(miner_pool_handshake(NULL, SV2_DIALECT_BRAIINS_2021, NULL, false, NULL, false) == 0);
    reset_seen();

    CHECK_OK(sv2_miner_config_new(&mc));
    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_RC(sv2_miner_config_set_ciphers(mc, "CHCH,CHCH"), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_miner_config_set_noise_profile(mc, "str3"), SV2_ERR_INVALID_ARG);
    CHECK(strstr(sv2_miner_config_last_error(mc), "sri-2023 or braiins-2021") != NULL);
    CHECK_RC(sv2_miner_config_set_versions(mc, 3, 2), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_pool_config_set_ciphers(pc, "des"), SV2_ERR_INVALID_ARG);
    CHECK(strstr(sv2_pool_config_last_error(pc), "\"des\"") != NULL);
    CHECK_RC(sv2_pool_config_set_ciphers(NULL, NULL), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_pool_config_set_ciphers(pc, NULL));
    sv2_miner_config_free(mc);
    sv2_pool_config_free(pc);
}

/* Issue 13 item 12: the miner's and the pool's wire taps. */
static void wire_tap(void) {
    uint8_t seed[32], auth_secret[32], auth_public[32], srv_secret[32], srv_public[32];
    sv2_certificate cert;
    sv2_pool_config *pc = NULL;
    sv2_miner_config *mc = NULL;
    sv2_pool *p = NULL;
    sv2_miner *m = NULL;
    uint64_t conn = 0, traced_conn = 99;
    char line[2048];
    size_t size = 0;
    int miner_lines = 0, pool_lines = 0, saw_open = 0;
    reset_seen();
    memset(seed, 3, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, auth_secret, auth_public));
    seed[0] = 4;
    CHECK_OK(sv2_server_key_generate(seed, srv_secret, srv_public));
    CHECK_OK(sv2_certificate_sign(auth_secret, srv_public, NOW_UNIX - 10, NOW_UNIX + 3600, &cert));
    CHECK_OK(sv2_pool_config_new(&pc));
    CHECK_OK(sv2_pool_config_set_noise(pc, srv_secret, &cert));
    CHECK_OK(sv2_pool_config_set_trace(pc, true));
    CHECK_OK(sv2_pool_new(pc, &p));
    sv2_pool_config_free(pc);
    CHECK_OK(sv2_miner_config_new(&mc));
    CHECK_OK(sv2_miner_config_set_authority_key(mc, auth_public));
    CHECK_OK(sv2_miner_config_set_device(mc, "test-fw", "hw", "1.0", "dev"));
    CHECK_OK(sv2_miner_config_add_standard_channel(mc, "alice.rig1", 1000.0f, NULL));
    CHECK_OK(sv2_miner_config_set_trace(mc, true));
    CHECK_OK(sv2_miner_new(mc, NOW_UNIX, 0, &m));
    sv2_miner_config_free(mc);
    CHECK_OK(sv2_pool_accept(p, 0, &conn));
    pump_mining(m, p, conn, 10);
    for (;;) {
        CHECK_OK(sv2_miner_next_trace(m, line, sizeof line, &size));
        if (size == 0) {
            break;
        }
        miner_lines++;
        saw_open |= strstr(line, "{\"direction\":\"sent\",\"frame\":{\"protocol\":\"Mining\",\"message\":\"OpenStandardMiningChannel\"") == line;
    }
    for (;;) {
        CHECK_OK(sv2_pool_next_trace(p, &traced_conn, line, sizeof line, &size));
        if (size == 0) {
            break;
        }
        pool_lines++;
        CHECK(traced_conn == conn);
    }
    /* Setup and its answer, the channel request and its answer at least. */
    CHECK(miner_lines >= 4 && pool_lines >= 4 && saw_open);
    CHECK_RC(sv2_pool_next_trace(p, NULL, line, sizeof line, &size), SV2_ERR_NULL_ARG);
    sv2_miner_free(m);
    sv2_pool_free(p);
    reset_seen();
}

int main(void) {
    null_handles();
    configs();
    targets();
    mine_and_misuse();
    extended_channel();
    open_channel_timeout();
    interop_settings();
    open_channel_unanswered();
    noise_settings();
    wire_tap();
    return check_report("test_mining");
}
