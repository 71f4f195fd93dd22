/* miner: a CPU miner over TCP on the sans-I/O sv2_miner handle.
 *
 *   miner [options] stratum2+tcp://HOST:PORT/<authority key>     (Noise)
 *   miner [options] stratum2+tcp+plain://HOST:PORT                (plaintext, local only)
 *
 *   --user NAME        user identity of the channel (default "demo.cpu0")
 *   --extended         open an extended channel and roll the extranonce (default: standard)
 *   --hashrate H       nominal hash rate to announce, in H/s or as a percentage of the rate
 *                      measured at start (`10%`: the pool's target then yields ten times the
 *                      share rate it aims for, which tests use to see shares quickly)
 *                      (default: the measured rate)
 *   --seconds N        stop after N seconds (default 10)
 *   --shares N         stop after N accepted shares (default: no limit)
 *   --quiet            print only the summary
 *   --dialect NAME     wire dialect of the pool: spec (default), sri-2023, braiins-2021
 *   --flags N          SetupConnection flags, spec bit layout (default 0; SRI's devices
 *                      send 4, REQUIRES_VERSION_ROLLING); translated for the dialect
 *   --plaintext        no encryption, whatever the URL says; HOST:PORT is accepted too
 *
 * Work follows SetTarget: on TARGET_CHANGED the hashed work takes the new target (when the
 * library says the active work did), so shares are judged as the pool will judge them.
 * Errors that a retry cannot fix (certificate or authority refused, setup rejected) end the
 * program with a message instead of five reconnects.
 *
 * One thread owns the miner handle and the socket: it writes what sv2_miner_data_to_send()
 * gives, polls the socket (with a zero timeout while it has work, so that hashing goes on),
 * feeds what arrives to sv2_miner_receive_data(), drains sv2_miner_next_event() and hashes
 * a batch of nonces between polls. Exit status 0 if at least one share was accepted. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sv2.h"

#define SAY(...)                                  \
    do {                                          \
        if (!opt.quiet) {                         \
            printf("[miner] " __VA_ARGS__);       \
        }                                         \
    } while (0)

static struct {
    const char *url;
    const char *user;
    int extended;
    double hashrate;
    double hashrate_percent; /* > 0: announce this share of the measured rate */
    double seconds;
    long shares;
    int quiet;
    sv2_dialect dialect;
    uint32_t flags;
    int plaintext;
    int trace; /* --trace: every frame sent and received, as JSON lines on stderr */
} opt = {NULL, "demo.cpu0", 0, 0.0, 0.0, 10.0, 0, 0, SV2_DIALECT_SPEC, 0, 0, 0};

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --trace: drains the miner's wire tap to stderr, one JSON line per frame (the `sv2 decode`
 * form with its direction). A line larger than the stack buffer gets a heap one. */
static void print_trace(sv2_miner *m) {
    char line[4096];
    size_t size = 0;
    for (;;) {
        sv2_result rc = sv2_miner_next_trace(m, line, sizeof line, &size);
        if (rc == SV2_ERR_BUFFER_TOO_SMALL) {
            char *big = malloc(size);
            if (!big || sv2_miner_next_trace(m, big, size, &size) != SV2_OK) {
                free(big);
                return;
            }
            fprintf(stderr, "[miner trace] %s\n", big);
            free(big);
            continue;
        }
        if (rc != SV2_OK || size == 0) {
            return;
        }
        fprintf(stderr, "[miner trace] %s\n", line);
    }
}

static void usage(void) {
    fprintf(stderr, "usage: miner [--user NAME] [--extended] [--hashrate H|P%%] [--seconds N] "
                    "[--shares N] [--quiet] [--dialect spec|sri-2023|braiins-2021] [--flags N] "
                    "[--plaintext] [--trace] stratum2+tcp://HOST:PORT/KEY\n");
    exit(2);
}

/* `spec`, `sri-2023`, `braiins-2021` -> SV2_DIALECT_*; -1 for anything else. */
static long dialect_by_name(const char *name) {
    if (strcmp(name, "spec") == 0) {
        return SV2_DIALECT_SPEC;
    }
    if (strcmp(name, "sri-2023") == 0) {
        return SV2_DIALECT_SRI_2023;
    }
    if (strcmp(name, "braiins-2021") == 0) {
        return SV2_DIALECT_BRAIINS_2021;
    }
    return -1;
}

static void parse_args(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--user") == 0 && v) {
            opt.user = v;
            i++;
        } else if (strcmp(a, "--extended") == 0) {
            opt.extended = 1;
        } else if (strcmp(a, "--hashrate") == 0 && v) {
            size_t len = strlen(v);
            if (len > 1 && v[len - 1] == '%') {
                opt.hashrate_percent = atof(v);
                if (!(opt.hashrate_percent > 0.0)) {
                    usage();
                }
            } else {
                opt.hashrate = atof(v);
            }
            i++;
        } else if (strcmp(a, "--seconds") == 0 && v) {
            opt.seconds = atof(v);
            i++;
        } else if (strcmp(a, "--shares") == 0 && v) {
            opt.shares = atol(v);
            i++;
        } else if (strcmp(a, "--quiet") == 0) {
            opt.quiet = 1;
        } else if (strcmp(a, "--dialect") == 0 && v) {
            long d = dialect_by_name(v);
            if (d < 0) {
                fprintf(stderr, "miner: unknown dialect %s\n", v);
                usage();
            }
            opt.dialect = (sv2_dialect)d;
            i++;
        } else if (strcmp(a, "--flags") == 0 && v) {
            char *end = NULL;
            unsigned long f = strtoul(v, &end, 0);
            if (!end || *end || f > 0xffffffffUL) {
                usage();
            }
            opt.flags = (uint32_t)f;
            i++;
        } else if (strcmp(a, "--plaintext") == 0) {
            opt.plaintext = 1;
        } else if (strcmp(a, "--trace") == 0) {
            opt.trace = 1;
        } else if (a[0] != '-' && !opt.url) {
            opt.url = a;
        } else {
            usage();
        }
    }
    if (!opt.url) {
        usage();
    }
}

/* A blocking connect, then non-blocking I/O. Returns the socket or -1. */
static int connect_to(const char *host, unsigned port) {
    struct addrinfo hints, *res = NULL, *ai;
    char port_text[8];
    int fd = -1, one = 1;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port_text, sizeof port_text, "%u", port);
    if (getaddrinfo(host, port_text, &hints, &res) != 0) {
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return fd;
}

/* Writes everything the miner has for the socket. Returns -1 if the socket failed. */
static int flush_out(sv2_miner *m, int fd) {
    uint8_t buf[4096];
    size_t n = 0;
    for (;;) {
        size_t off = 0;
        if (sv2_miner_data_to_send(m, buf, sizeof buf, &n) != SV2_OK || n == 0) {
            return 0;
        }
        while (off < n) {
            ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
            if (w > 0) {
                off += (size_t)w;
            } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                struct pollfd p;
                p.fd = fd;
                p.events = POLLOUT;
                poll(&p, 1, 100);
            } else {
                return -1;
            }
        }
    }
}

/* Hashes per second of sv2_work_hash() on this machine (a made-up header: the hashing
 * functions read only the public fields of an sv2_work). */
static double measure_hashrate(void) {
    sv2_work w;
    uint8_t hash[32];
    uint64_t start = now_ms(), n = 0;
    memset(&w, 0, sizeof w);
    while (now_ms() - start < 200) {
        int i;
        for (i = 0; i < 64; i++) {
            if (sv2_work_hash(&w, (uint32_t)n, 0, 0, hash) != SV2_OK) {
                return 1.0;
            }
            n++;
        }
    }
    return (double)n * 1000.0 / (double)(now_ms() - start + 1);
}

static double difficulty_of(const uint8_t target[32]) {
    return sv2_target_to_difficulty(target);
}

/* What the hashing loop works on: a caller-owned clone of the latest work. */
static struct {
    sv2_work *work;
    uint32_t nonce;
    uint32_t ntime;
    uint64_t extranonce;
} job;

static void drop_work(void) {
    sv2_work_free(job.work);
    job.work = NULL;
}

/* Puts the next extranonce (a little-endian counter) into extended work. */
static int next_extranonce(void) {
    uint8_t en[32];
    size_t size = job.work->extranonce_size, i;
    uint64_t c = job.extranonce++;
    memset(en, 0, sizeof en);
    for (i = 0; i < size && i < 8; i++) {
        en[i] = (uint8_t)(c >> (8 * i));
    }
    return sv2_work_set_extranonce(job.work, en, size) == SV2_OK;
}

static void take_work(const sv2_work *w) {
    sv2_work *copy = NULL;
    if (sv2_work_clone(w, &copy) != SV2_OK) {
        return;
    }
    drop_work();
    job.work = copy;
    job.nonce = 0;
    job.ntime = copy->min_ntime;
    if (copy->extended && !next_extranonce()) {
        drop_work();
    }
}

static struct {
    unsigned long submitted, accepted, rejected, refused, blocks, hashes;
} stats;

static int connection_closed;
static int permanent_failure; /* a retry cannot help: stop with the message printed */
static int reconnect_requested;
static char reconnect_host[256];
static unsigned reconnect_port;

static void print_bytes(sv2_bytes b) {
    printf("%.*s", (int)b.len, b.len ? (const char *)b.ptr : "");
}

/* Closes that a reconnect to the same pool cannot fix: the pool's certificate or authority
 * refused (wrong key in the URL, expired certificate), the SetupConnection refused (flags,
 * protocol or version), or a Noise negotiation the two sides do not share. */
static int is_permanent(const sv2_miner_event *ev) {
    if (ev->close_reason == SV2_CLOSE_SETUP_REJECTED) {
        return 1;
    }
    if (ev->close_reason != SV2_CLOSE_ERROR) {
        return 0;
    }
    switch (ev->error) {
    case SV2_ERR_NOISE_NEGOTIATION:
    case SV2_ERR_NOISE_HANDSHAKE_DECRYPT:
    case SV2_ERR_NOISE_INVALID_PUBLIC_KEY:
    case SV2_ERR_CERT_BAD_SIGNATURE:
    case SV2_ERR_CERT_INVALID_AUTHORITY_KEY:
    case SV2_ERR_CERT_NOT_YET_VALID:
    case SV2_ERR_CERT_EXPIRED:
    case SV2_ERR_CERT_MALFORMED:
    case SV2_ERR_CERT_AUTHORITY_MISMATCH:
    case SV2_ERR_CERT_EMPTY_VALIDITY:
    case SV2_ERR_WRONG_PROTOCOL:
    case SV2_ERR_VERSION:
        return 1;
    default:
        return 0;
    }
}

static void handle_event(const sv2_miner_event *ev) {
    switch (ev->type) {
    case SV2_MINER_EVENT_HANDSHAKE_COMPLETE:
        SAY("Noise handshake complete (%s); the pool's certificate is signed by the URL's "
            "authority key\n",
            ev->cipher == SV2_CIPHER_AESGCM ? "AES-256-GCM" : "ChaCha20-Poly1305");
        break;
    case SV2_MINER_EVENT_SETUP_COMPLETE:
        SAY("SetupConnection accepted (success flags 0x%x); opening the channel\n",
            (unsigned)ev->success_flags);
        break;
    case SV2_MINER_EVENT_CHANNEL_OPENED:
        SAY("channel %u open (%s, user %s), target difficulty %.6g, extranonce prefix %u bytes\n",
            (unsigned)ev->channel_id, ev->extended ? "extended" : "standard", opt.user,
            difficulty_of(ev->target), (unsigned)ev->extranonce_prefix.len);
        break;
    case SV2_MINER_EVENT_CHANNEL_OPEN_FAILED:
        if (!opt.quiet) {
            printf("[miner] channel open failed: ");
            print_bytes(ev->text);
            printf("\n");
        }
        break;
    case SV2_MINER_EVENT_NEW_WORK:
        SAY("new work: channel %u job %u%s, difficulty %.6g, ntime %u, version mask 0x%08x\n",
            (unsigned)ev->channel_id, (unsigned)ev->job_id,
            ev->work->clean ? " (new block: earlier work dropped)" : "",
            difficulty_of(ev->work->target), (unsigned)ev->work->min_ntime,
            (unsigned)ev->work->version_mask);
        take_work(ev->work);
        break;
    case SV2_MINER_EVENT_WORK_INVALIDATED:
        SAY("work of channel %u invalidated\n", (unsigned)ev->channel_id);
        drop_work();
        break;
    case SV2_MINER_EVENT_TARGET_CHANGED:
        SAY("channel %u: new target, difficulty %.6g%s\n", (unsigned)ev->channel_id,
            difficulty_of(ev->target),
            ev->active_work_updated ? "" : " (from the next work; the current job keeps its own)");
        /* The library checks shares of the active work against the new target when
         * active_work_updated: the hashed copy must follow, or every share between the two
         * targets is found here and refused locally. */
        if (ev->active_work_updated && job.work && job.work->channel_id == ev->channel_id) {
            memcpy(job.work->target, ev->target, sizeof job.work->target);
        }
        break;
    case SV2_MINER_EVENT_SHARE_ACCEPTED:
        stats.accepted++;
        SAY("share %u accepted (latency %llu ms)\n", (unsigned)ev->sequence_number,
            (unsigned long long)ev->latency_ms);
        break;
    case SV2_MINER_EVENT_SHARE_REJECTED:
        stats.rejected++;
        if (!opt.quiet) {
            printf("[miner] share %u rejected: ", (unsigned)ev->sequence_number);
            print_bytes(ev->text);
            printf(" (latency %llu ms)\n", (unsigned long long)ev->latency_ms);
        }
        break;
    case SV2_MINER_EVENT_SHARE_EXPIRED:
        SAY("share %u expired without an answer\n", (unsigned)ev->sequence_number);
        break;
    case SV2_MINER_EVENT_CHANNEL_CLOSED:
        SAY("channel %u closed (%u shares without answer)\n", (unsigned)ev->channel_id,
            (unsigned)ev->pending_dropped);
        drop_work();
        break;
    case SV2_MINER_EVENT_RECONNECT:
        reconnect_requested = 1;
        snprintf(reconnect_host, sizeof reconnect_host, "%.*s", (int)ev->host.len,
                 ev->host.len ? (const char *)ev->host.ptr : "");
        reconnect_port = ev->port;
        if (!opt.quiet) {
            printf("[miner] the pool asks to reconnect to %s", ev->host.len ? reconnect_host : "the same host");
            if (ev->port) {
                printf(":%u\n", (unsigned)ev->port);
            } else {
                printf(", same port\n");
            }
        }
        break;
    case SV2_MINER_EVENT_PROTOCOL_ERROR:
        if (!opt.quiet) {
            printf("[miner] pool protocol error (ignored): ");
            print_bytes(ev->text);
            printf("\n");
        }
        break;
    case SV2_MINER_EVENT_CLOSED:
        connection_closed = 1;
        drop_work();
        if (!opt.quiet) {
            printf("[miner] connection closed: ");
            print_bytes(ev->text);
            printf("\n");
        }
        if (is_permanent(ev)) {
            permanent_failure = 1;
            fprintf(stderr, "miner: giving up, reconnecting cannot fix this: %s%s",
                    ev->close_reason == SV2_CLOSE_SETUP_REJECTED ? "the pool rejected SetupConnection"
                                                                  : sv2_result_str(ev->error),
                    ev->text.len ? ": " : "");
            fprintf(stderr, "%.*s\n", (int)ev->text.len,
                    ev->text.len ? (const char *)ev->text.ptr : "");
        }
        break;
    default:
        break;
    }
}

/* Hashes up to `budget` nonces of the current work; submits what meets the target. */
static void hash_batch(sv2_miner *m, unsigned budget) {
    uint8_t hash[32];
    sv2_share_receipt receipt;
    while (job.work && budget-- > 0) {
        const sv2_work *w = job.work;
        uint32_t nonce = job.nonce++;
        stats.hashes++;
        if (sv2_work_hash(w, nonce, job.ntime, w->version, hash) != SV2_OK) {
            drop_work();
            return;
        }
        if (sv2_work_meets_target(w, hash)) {
            uint64_t t = now_ms();
            sv2_result rc;
            if (w->extended) {
                rc = sv2_miner_submit_extended(m, w->channel_id, w->job_id, w->extranonce,
                                               w->extranonce_size, nonce, job.ntime, w->version,
                                               t, &receipt);
            } else {
                rc = sv2_miner_submit_standard(m, w->channel_id, w->job_id, nonce, job.ntime,
                                               w->version, t, &receipt);
            }
            if (rc == SV2_OK) {
                stats.submitted++;
                stats.blocks += receipt.is_block;
                SAY("share found: job %u nonce %08x -> submitted as share %u%s\n",
                    (unsigned)receipt.job_id, (unsigned)nonce, (unsigned)receipt.sequence_number,
                    receipt.is_block ? " (it is also a block)" : "");
            } else {
                stats.refused++;
                SAY("share refused locally: %s (%s)\n", sv2_result_str(rc),
                    sv2_miner_last_error(m));
            }
        }
        if (job.nonce == 0) {
            /* 2^32 nonces done: a later nTime if allowed, else the next extranonce. */
            if (job.ntime < sv2_work_max_ntime(job.work, now_ms())) {
                job.ntime++;
            } else if (!job.work->extended || !next_extranonce()) {
                drop_work();
            }
        }
    }
}

/* Reads what the socket has. Returns -1 at end of file or on an error. */
static int read_in(sv2_miner *m, int fd) {
    uint8_t buf[4096];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
            sv2_result rc = sv2_miner_receive_data(m, buf, (size_t)r, now_ms());
            if (rc != SV2_OK) {
                SAY("receive: %s (%s)\n", sv2_result_str(rc), sv2_miner_last_error(m));
                return -1;
            }
        } else if (r == 0) {
            sv2_result ignored = sv2_miner_peer_closed(m);
            (void)ignored;
            return -1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return 0;
        } else {
            sv2_result ignored = sv2_miner_peer_closed(m);
            (void)ignored;
            return -1;
        }
    }
}

int main(int argc, char **argv) {
    sv2_pool_url url;
    sv2_miner_config *cfg = NULL;
    sv2_miner *m = NULL;
    sv2_result rc;
    char host[256];
    unsigned port;
    int fd, attempts = 0;
    static char plain_url[300];
    uint64_t start, stop_at;
    unsigned batch = 256;

    setvbuf(stdout, NULL, _IOLBF, 0);
    parse_args(argc, argv);
    if (opt.plaintext) {
        /* Keep HOST:PORT of whatever was given (URL or not) under the plaintext scheme. */
        const char *hostport = strstr(opt.url, "://");
        size_t len;
        hostport = hostport ? hostport + 3 : opt.url;
        len = strcspn(hostport, "/");
        snprintf(plain_url, sizeof plain_url, "stratum2+tcp+plain://%.*s", (int)len, hostport);
        opt.url = plain_url;
    }
    rc = sv2_pool_url_parse(opt.url, &url);
    if (rc != SV2_OK) {
        fprintf(stderr, "miner: %s: %s\n", opt.url, sv2_result_str(rc));
        return 2;
    }
    snprintf(host, sizeof host, "%s", (const char *)url.host);
    port = url.port;
    if (opt.hashrate <= 0) {
        double measured = measure_hashrate();
        if (opt.hashrate_percent > 0.0) {
            opt.hashrate = measured * opt.hashrate_percent / 100.0;
            SAY("this CPU does about %.0f hashes/s through sv2_work_hash(); announcing %g%% of "
                "that, %.0f hashes/s\n",
                measured, opt.hashrate_percent, opt.hashrate);
        } else {
            opt.hashrate = measured;
            SAY("this CPU does about %.0f hashes/s through sv2_work_hash(); announcing that\n",
                opt.hashrate);
        }
    }
    if (sv2_miner_config_new(&cfg) != SV2_OK ||
        sv2_miner_config_set_pool_url(cfg, opt.url) != SV2_OK ||
        sv2_miner_config_set_dialect(cfg, opt.dialect) != SV2_OK ||
        sv2_miner_config_set_flags(cfg, opt.flags) != SV2_OK ||
        sv2_miner_config_set_trace(cfg, opt.trace != 0) != SV2_OK ||
        sv2_miner_config_set_device(cfg, "libsv2-examples", "cpu", "miner.c/" SV2_VERSION_STRING,
                                    "cpu0") != SV2_OK ||
        (opt.extended ? sv2_miner_config_add_extended_channel(cfg, opt.user, (float)opt.hashrate,
                                                             NULL, 4)
                      : sv2_miner_config_add_standard_channel(cfg, opt.user, (float)opt.hashrate,
                                                              NULL)) != SV2_OK) {
        fprintf(stderr, "miner: configuration: %s\n", sv2_miner_config_last_error(cfg));
        sv2_miner_config_free(cfg);
        return 2;
    }
    fd = connect_to(host, port);
    if (fd < 0) {
        fprintf(stderr, "miner: cannot connect to %s:%u\n", host, port);
        sv2_miner_config_free(cfg);
        return 1;
    }
    SAY("connected to %s:%u (%s)\n", host, port, url.noise ? "Noise" : "plaintext");
    rc = sv2_miner_new(cfg, (uint64_t)time(NULL), now_ms(), &m);
    sv2_miner_config_free(cfg);
    if (rc != SV2_OK) {
        fprintf(stderr, "miner: sv2_miner_new: %s\n", sv2_result_str(rc));
        close(fd);
        return 1;
    }

    start = now_ms();
    stop_at = start + (uint64_t)(opt.seconds * 1000.0);
    for (;;) {
        uint64_t now = now_ms(), deadline = SV2_NO_TIMEOUT;
        struct pollfd p;
        int timeout, eof = 0;
        sv2_miner_event ev;

        if (now >= stop_at || (opt.shares > 0 && (long)stats.accepted >= opt.shares)) {
            break;
        }
        if (fd >= 0 && flush_out(m, fd) < 0) {
            eof = 1;
        }
        rc = sv2_miner_poll_timeout(m, &deadline);
        (void)rc;
        timeout = job.work ? 0 : 100;
        if (deadline != SV2_NO_TIMEOUT && deadline > now && deadline - now < (uint64_t)timeout) {
            timeout = (int)(deadline - now);
        }
        if (fd >= 0 && !eof) {
            p.fd = fd;
            p.events = POLLIN;
            p.revents = 0;
            if (poll(&p, 1, timeout) > 0 && read_in(m, fd) < 0) {
                eof = 1;
            }
        } else if (timeout > 0) {
            struct timespec ts;
            ts.tv_sec = 0;
            ts.tv_nsec = (long)timeout * 1000000L;
            nanosleep(&ts, NULL);
        }
        if (eof) {
            sv2_result ignored = sv2_miner_peer_closed(m);
            (void)ignored;
        }
        now = now_ms();
        if (deadline != SV2_NO_TIMEOUT && deadline <= now) {
            rc = sv2_miner_handle_timeout(m, now);
            (void)rc;
        }
        while (sv2_miner_next_event(m, &ev) == SV2_OK && ev.type != SV2_MINER_EVENT_NONE) {
            handle_event(&ev);
        }
        if (permanent_failure) {
            break;
        }
        if (opt.trace) {
            print_trace(m);
        }
        if (reconnect_requested || connection_closed) {
            /* A new socket, then a new handshake with the same authority key. */
            if (fd >= 0) {
                if (!connection_closed) {
                    flush_out(m, fd);
                }
                close(fd);
                fd = -1;
            }
            if (reconnect_requested) {
                if (reconnect_host[0]) {
                    snprintf(host, sizeof host, "%s", reconnect_host);
                }
                if (reconnect_port) {
                    port = reconnect_port;
                }
            } else if (++attempts > 5) {
                SAY("giving up after 5 reconnect attempts\n");
                break;
            } else {
                struct timespec ts = {1, 0};
                nanosleep(&ts, NULL);
            }
            reconnect_requested = 0;
            connection_closed = 0;
            fd = connect_to(host, port);
            if (fd < 0) {
                SAY("cannot connect to %s:%u\n", host, port);
                connection_closed = 1;
                continue;
            }
            SAY("reconnected to %s:%u\n", host, port);
            rc = sv2_miner_set_endpoint(m, host, port);
            if (rc != SV2_OK) {
                SAY("set endpoint: %s\n", sv2_result_str(rc));
                break;
            }
            rc = sv2_miner_reconnect(m, (uint64_t)time(NULL), now_ms());
            if (rc != SV2_OK) {
                SAY("reconnect: %s\n", sv2_result_str(rc));
                break;
            }
            continue;
        }
        if (job.work && sv2_miner_is_ready(m)) {
            uint64_t t0 = now_ms();
            hash_batch(m, batch);
            /* Keep each batch around 20 ms so that the socket is served promptly. */
            if (now_ms() - t0 < 10 && batch < (1u << 20)) {
                batch *= 2;
            } else if (now_ms() - t0 > 40 && batch > 16) {
                batch /= 2;
            }
        }
    }
    if (fd >= 0) {
        flush_out(m, fd);
        close(fd);
    }
    drop_work();
    sv2_miner_free(m);
    printf("[miner] done after %.1f s: %lu hashes, %lu shares submitted, %lu accepted, "
           "%lu rejected, %lu refused locally, %lu of them blocks\n",
           (double)(now_ms() - start) / 1000.0, stats.hashes, stats.submitted, stats.accepted,
           stats.rejected, stats.refused, stats.blocks);
    return stats.accepted > 0 && !permanent_failure ? 0 : 1;
}
