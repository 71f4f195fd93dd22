/* pool: a small Stratum V2 pool on the sans-I/O sv2_pool handle, with made-up block templates
 * (sv2_template_source; the network 1000 times harder than the share target), listening on
 * 127.0.0.1.
 *
 *   pool [options]
 *
 *   --port P               TCP port (default 3336; 0 picks a free one)
 *   --key FILE --cert FILE server secret key and certificate written by `sv2 key gen-server`
 *                          and `sv2 key sign` (default: generated in-process, printed URL)
 *   --authority-pub FILE   authority public key file, only to print the pool URL
 *   --plain, --plaintext   no encryption (local networks only)
 *   --dialect NAME         wire dialect of the miners: spec (default), sri-2023, braiins-2021
 *   --flags N              SetupConnection.Success flags: 1 REQUIRES_FIXED_VERSION,
 *                          2 REQUIRES_EXTENDED_CHANNELS (default 0)
 *   --no-vardiff           keep each channel's first target (vardiff off)
 *   --allow-work-selection accept REQUIRES_WORK_SELECTION (SRI's mining proxy sets it;
 *                          custom jobs themselves are refused: no job-token policy here)
 *   --ignore-max-target    disregard the max_target miners send (some ask for far more
 *                          difficulty than they can do; the spec says to honour it)
 *   --static-chain         blocks found do not move the made-up chain on, so work lasts as
 *                          between blocks on a real network (every share is still a block)
 *   --seconds N            stop after N seconds (default 30)
 *   --until-disconnect     stop when the last miner has gone (after at least one came)
 *   --shares-per-minute X  vardiff share rate per channel (default 20)
 *   --reconnect-after S    S seconds after the first miner connects, ask it to reconnect
 *                          to the same host and port (once per run, to show Reconnect)
 *   --url-file FILE        write the pool URL there once listening
 *   --expect-shares N      exit non-zero unless at least N shares were accepted
 *   --quiet                print only the totals
 *   --tp URL               take templates from a Template Provider instead of the synthetic
 *                          source (stratum2+tcp://HOST:PORT/<authority key> for Noise, or
 *                          stratum2+tcp+plain://HOST:PORT); found blocks go back to it as
 *                          SubmitSolution
 *
 * One thread, one poll() over the listener and every client socket. After accepting a
 * socket, sv2_pool_accept() names the connection; bytes go in with sv2_pool_receive_data(),
 * events come out of sv2_pool_next_event(), and each connection's bytes out of
 * sv2_pool_data_to_send(). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sv2.h"

#define MAX_CLIENTS 64
#define MAX_USERS 64
#define MAX_CHANNELS 256
#define OUT_CAP 65536

#define SAY(...)                                  \
    do {                                          \
        if (!opt.quiet) {                         \
            printf("[pool]  " __VA_ARGS__);       \
        }                                         \
    } while (0)

static struct {
    unsigned port;
    const char *key_file, *cert_file, *authority_pub_file, *url_file;
    int plain, until_disconnect, quiet;
    double seconds, shares_per_minute, reconnect_after;
    long expect_shares;
    sv2_dialect dialect;
    uint32_t success_flags;
    int no_vardiff, allow_work_selection, ignore_max_target, static_chain;
    int trace; /* --trace: every frame of every connection, as JSON lines on stderr */
    const char *tp_url;
} opt = {3336, NULL, NULL, NULL, NULL, 0, 0, 0, 30.0, 20.0, 0.0, 0, SV2_DIALECT_SPEC, 0, 0, 0, 0, 0, 0, NULL};

struct client {
    int fd;
    uint64_t conn;
    int closing;
    uint64_t setup_ms; /* when SetupConnection completed (0: not yet) */
    size_t out_len;
    uint8_t out[OUT_CAP];
};

static struct client *clients[MAX_CLIENTS];

static struct user {
    char name[256];
    unsigned long accepted, rejected, blocks;
    double difficulty;
} users[MAX_USERS];
static size_t n_users;

static struct channel {
    uint64_t conn;
    uint32_t channel_id;
    size_t user;
} channels[MAX_CHANNELS];
static size_t n_channels;

static unsigned long total_accepted, total_stale, total_blocks, miners_seen;
static int reconnect_done;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --trace: drains the pool's wire tap to stderr, one JSON line per frame (the `sv2 decode`
 * form with its direction) after the connection id. A line larger than the stack buffer gets
 * a heap one. */
static void print_trace(sv2_pool *pool) {
    char line[4096];
    size_t size = 0;
    uint64_t conn = 0;
    for (;;) {
        sv2_result rc = sv2_pool_next_trace(pool, &conn, line, sizeof line, &size);
        if (rc == SV2_ERR_BUFFER_TOO_SMALL) {
            char *big = malloc(size);
            if (!big || sv2_pool_next_trace(pool, &conn, big, size, &size) != SV2_OK) {
                free(big);
                return;
            }
            fprintf(stderr, "[pool trace] conn %llu %s\n", (unsigned long long)conn, big);
            free(big);
            continue;
        }
        if (rc != SV2_OK || size == 0) {
            return;
        }
        fprintf(stderr, "[pool trace] conn %llu %s\n", (unsigned long long)conn, line);
    }
}

static void usage(void) {
    fprintf(stderr, "usage: pool [--port P] [--key FILE --cert FILE] [--authority-pub FILE] "
                    "[--plain] [--seconds N] [--until-disconnect] [--shares-per-minute X] "
                    "[--reconnect-after S] [--url-file FILE] [--expect-shares N] [--quiet] "
                    "[--dialect spec|sri-2023|braiins-2021] [--flags N] [--no-vardiff] "
                    "[--allow-work-selection] [--ignore-max-target] [--static-chain] [--trace] [--tp URL]\n");
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
        if (strcmp(a, "--plain") == 0 || strcmp(a, "--plaintext") == 0) {
            opt.plain = 1;
        } else if (strcmp(a, "--no-vardiff") == 0) {
            opt.no_vardiff = 1;
        } else if (strcmp(a, "--allow-work-selection") == 0) {
            opt.allow_work_selection = 1;
        } else if (strcmp(a, "--ignore-max-target") == 0) {
            opt.ignore_max_target = 1;
        } else if (strcmp(a, "--static-chain") == 0) {
            opt.static_chain = 1;
        } else if (strcmp(a, "--until-disconnect") == 0) {
            opt.until_disconnect = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            opt.quiet = 1;
        } else if (strcmp(a, "--trace") == 0) {
            opt.trace = 1;
        } else if (!v) {
            usage();
        } else if (strcmp(a, "--port") == 0) {
            opt.port = (unsigned)atoi(v);
            i++;
        } else if (strcmp(a, "--key") == 0) {
            opt.key_file = v;
            i++;
        } else if (strcmp(a, "--cert") == 0) {
            opt.cert_file = v;
            i++;
        } else if (strcmp(a, "--authority-pub") == 0) {
            opt.authority_pub_file = v;
            i++;
        } else if (strcmp(a, "--url-file") == 0) {
            opt.url_file = v;
            i++;
        } else if (strcmp(a, "--seconds") == 0) {
            opt.seconds = atof(v);
            i++;
        } else if (strcmp(a, "--shares-per-minute") == 0) {
            opt.shares_per_minute = atof(v);
            i++;
        } else if (strcmp(a, "--reconnect-after") == 0) {
            opt.reconnect_after = atof(v);
            i++;
        } else if (strcmp(a, "--expect-shares") == 0) {
            opt.expect_shares = atol(v);
            i++;
        } else if (strcmp(a, "--dialect") == 0) {
            long d = dialect_by_name(v);
            if (d < 0) {
                fprintf(stderr, "pool: unknown dialect %s\n", v);
                usage();
            }
            opt.dialect = (sv2_dialect)d;
            i++;
        } else if (strcmp(a, "--flags") == 0) {
            char *end = NULL;
            unsigned long f = strtoul(v, &end, 0);
            if (!end || *end || f > 0xffffffffUL) {
                usage();
            }
            opt.success_flags = (uint32_t)f;
            i++;
        } else if (strcmp(a, "--tp") == 0) {
            opt.tp_url = v;
            i++;
        } else {
            usage();
        }
    }
    if ((opt.key_file == NULL) != (opt.cert_file == NULL)) {
        fprintf(stderr, "pool: --key and --cert go together\n");
        exit(2);
    }
}

/* Reads a whole (small) file into buf as a NUL-terminated string. */
static int read_file(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f) {
        fprintf(stderr, "pool: cannot open %s\n", path);
        return -1;
    }
    n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
    return 0;
}

/* The key line of a key file written by `sv2 key` ('#' lines are comments). */
static int read_key_file(const char *path, uint8_t key[32]) {
    char text[4096], *line, *save = NULL;
    sv2_result rc = SV2_ERR_KEY_TEXT;
    if (read_file(path, text, sizeof text) < 0) {
        return -1;
    }
    for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *end;
        while (*line == ' ' || *line == '\t') {
            line++;
        }
        end = line + strlen(line);
        while (end > line && (end[-1] == ' ' || end[-1] == '\t')) {
            *--end = 0;
        }
        if (*line && *line != '#') {
            rc = sv2_key_from_text(line, key);
            break;
        }
    }
    memset(text, 0, sizeof text);
    if (rc != SV2_OK) {
        fprintf(stderr, "pool: %s: %s\n", path, sv2_result_str(rc));
        return -1;
    }
    return 0;
}

static size_t user_index(sv2_bytes name) {
    size_t i, len = name.len < 255 ? name.len : 255;
    for (i = 0; i < n_users; i++) {
        if (strlen(users[i].name) == len && memcmp(users[i].name, name.ptr, len) == 0) {
            return i;
        }
    }
    if (n_users == MAX_USERS) {
        return MAX_USERS - 1;
    }
    memcpy(users[n_users].name, name.ptr, len);
    users[n_users].name[len] = 0;
    return n_users++;
}

static struct user *user_of_channel(uint64_t conn, uint32_t channel_id) {
    size_t i;
    for (i = 0; i < n_channels; i++) {
        if (channels[i].conn == conn && channels[i].channel_id == channel_id) {
            return &users[channels[i].user];
        }
    }
    return NULL;
}

static struct client *client_of(uint64_t conn) {
    int i;
    for (i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] && clients[i]->conn == conn) {
            return clients[i];
        }
    }
    return NULL;
}

/* Block hashes are shown as block explorers do: byte-reversed hex. */
static void hash_hex(const uint8_t h[32], char out[65]) {
    int i;
    for (i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", h[31 - i]);
    }
}

static void print_text(const char *what, sv2_bytes b) {
    printf("%s%.*s", what, (int)b.len, b.len ? (const char *)b.ptr : "");
}

/* --tp: the connection to the Template Provider (one socket, one sv2_template_client). */
static struct {
    int fd;
    sv2_template_client *client;
    size_t out_len;
    uint8_t out[OUT_CAP];
    unsigned long templates, tips, solutions_sent;
} tp = {-1, NULL, 0, {0}, 0, 0, 0};

/* Connects to the provider in opt.tp_url and starts the template client (CoinbaseOutputDataSize
 * announces the pool's one OP_TRUE output: 8-byte value, 1-byte length, 1-byte script). */
static int tp_connect(void) {
    sv2_pool_url u;
    sv2_template_client_config *cfg = NULL;
    struct sockaddr_in addr;
    int one = 1;
    sv2_result rc = sv2_pool_url_parse(opt.tp_url, &u);
    if (rc != SV2_OK) {
        fprintf(stderr, "pool: --tp %s: %s\n", opt.tp_url, sv2_result_str(rc));
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(u.port);
    if (inet_pton(AF_INET, (const char *)u.host, &addr.sin_addr) != 1) {
        fprintf(stderr, "pool: --tp: give an IPv4 address (%s)\n", (const char *)u.host);
        return -1;
    }
    tp.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (tp.fd < 0 || connect(tp.fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "pool: cannot connect to the template provider %s: %s\n", opt.tp_url,
                strerror(errno));
        return -1;
    }
    setsockopt(tp.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(tp.fd, F_SETFL, fcntl(tp.fd, F_GETFL) | O_NONBLOCK);
    rc = sv2_template_client_config_new(&cfg);
    if (rc == SV2_OK) {
        rc = sv2_template_client_config_set_provider_url(cfg, opt.tp_url);
    }
    if (rc == SV2_OK) {
        rc = sv2_template_client_config_set_vendor(cfg, "libsv2 example pool");
    }
    if (rc == SV2_OK) {
        rc = sv2_template_client_config_set_coinbase_output_size(cfg, 10);
    }
    if (rc == SV2_OK) {
        rc = sv2_template_client_new(cfg, (uint64_t)time(NULL), now_ms(), &tp.client);
    }
    if (rc != SV2_OK) {
        fprintf(stderr, "pool: template client: %s\n", sv2_template_client_config_last_error(cfg));
    }
    sv2_template_client_config_free(cfg);
    return rc == SV2_OK ? 0 : -1;
}

/* Reads what the provider sent, hands templates and tips to the pool, writes what the client
 * has to send. Returns -1 once the provider connection is gone. */
static int tp_pump(sv2_pool *pool, int readable, uint64_t now) {
    sv2_template_client_event ev;
    int gone = 0;
    while (readable) {
        uint8_t buf[4096];
        ssize_t r = recv(tp.fd, buf, sizeof buf, 0);
        if (r > 0) {
            if (sv2_template_client_receive_data(tp.client, buf, (size_t)r, now) != SV2_OK) {
                break; /* the client closed: its CLOSED event follows */
            }
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            break;
        } else {
            sv2_result rc = sv2_template_client_peer_closed(tp.client);
            (void)rc;
            break;
        }
    }
    while (sv2_template_client_next_event(tp.client, &ev) == SV2_OK &&
           ev.type != SV2_TEMPLATE_CLIENT_EVENT_NONE) {
        if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_READY) {
            SAY("template provider %s: set up, CoinbaseOutputDataSize sent\n", opt.tp_url);
        } else if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE) {
            tp.templates++;
        } else if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_SET_NEW_PREV_HASH) {
            tp.tips++;
            SAY("template provider: new tip, template %llu sent to every channel\n",
                (unsigned long long)ev.template_id);
        } else if (ev.type == SV2_TEMPLATE_CLIENT_EVENT_CLOSED) {
            fprintf(stderr, "pool: template provider connection closed: %.*s\n", (int)ev.text.len,
                    (const char *)ev.text.ptr);
            gone = 1;
        }
        if (sv2_pool_apply_template_event(pool, &ev, now) != SV2_OK) {
            fprintf(stderr, "pool: template from the provider refused: %s\n", sv2_pool_last_error(pool));
        }
    }
    for (;;) {
        size_t n = 0;
        ssize_t w;
        if (tp.out_len < OUT_CAP &&
            sv2_template_client_data_to_send(tp.client, tp.out + tp.out_len, OUT_CAP - tp.out_len, &n) ==
                SV2_OK) {
            tp.out_len += n;
        }
        if (tp.out_len == 0) {
            break;
        }
        w = send(tp.fd, tp.out, tp.out_len, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                gone = 1;
            }
            break;
        }
        memmove(tp.out, tp.out + w, tp.out_len - (size_t)w);
        tp.out_len -= (size_t)w;
    }
    return gone ? -1 : 0;
}

static void handle_event(sv2_pool *pool, sv2_template_source *src, const sv2_pool_event *ev) {
    struct user *u;
    struct client *c;
    char hex[65];
    switch (ev->type) {
    case SV2_POOL_EVENT_CONNECTED: {
        const sv2_setup_connection *s = sv2_message_as_setup_connection(ev->setup);
        miners_seen++;
        c = client_of(ev->conn);
        if (c) {
            c->setup_ms = now_ms();
        }
        if (!opt.quiet && s) {
            printf("[pool]  conn %llu: handshake and SetupConnection done (", (unsigned long long)ev->conn);
            print_text("vendor ", s->vendor);
            print_text(", firmware ", s->firmware);
            print_text(", device ", s->device_id);
            printf(", flags 0x%x)\n", (unsigned)s->flags);
        }
        break;
    }
    case SV2_POOL_EVENT_CHANNEL_OPENED:
        if (n_channels < MAX_CHANNELS) {
            channels[n_channels].conn = ev->conn;
            channels[n_channels].channel_id = ev->channel_id;
            channels[n_channels].user = user_index(ev->user_identity);
            n_channels++;
        }
        if (!opt.quiet) {
            printf("[pool]  conn %llu: %s channel %u opened for '", (unsigned long long)ev->conn,
                   ev->extended ? "extended" : "standard", (unsigned)ev->channel_id);
            print_text("", ev->user_identity);
            printf("', difficulty %.6g\n", sv2_target_to_difficulty(ev->target));
        }
        break;
    case SV2_POOL_EVENT_SHARE_ACCEPTED:
        u = &users[user_index(ev->user_identity)];
        u->accepted++;
        u->difficulty += ev->credited_difficulty;
        total_accepted++;
        SAY("conn %llu channel %u: share %u accepted for '%s' (difficulty %.6g, hash reached %.6g)\n",
            (unsigned long long)ev->conn, (unsigned)ev->channel_id, (unsigned)ev->sequence_number,
            u->name, ev->credited_difficulty, ev->share_difficulty);
        break;
    case SV2_POOL_EVENT_SHARE_REJECTED:
        if (ev->reject_reason == SV2_REJECT_STALE_SHARE) {
            total_stale++;
        }
        u = user_of_channel(ev->conn, ev->channel_id);
        if (u) {
            u->rejected++;
        }
        if (!opt.quiet) {
            printf("[pool]  conn %llu channel %u: share %u rejected: ", (unsigned long long)ev->conn,
                   (unsigned)ev->channel_id, (unsigned)ev->sequence_number);
            print_text("", ev->text);
            printf("\n");
        }
        break;
    case SV2_POOL_EVENT_BLOCK_FOUND: {
        uint32_t height = sv2_template_source_height(src);
        u = &users[user_index(ev->user_identity)];
        u->blocks++;
        total_blocks++;
        hash_hex(ev->block_hash, hex);
        if (tp.client) {
            /* The provider assembles the block and broadcasts it; its next tip follows. */
            bool sent = false;
            if (sv2_template_client_submit_block_found(tp.client, ev, now_ms(), &sent) != SV2_OK) {
                fprintf(stderr, "pool: SubmitSolution: %s\n", sv2_template_client_last_error(tp.client));
            } else if (sent) {
                tp.solutions_sent++;
                SAY("BLOCK FOUND by '%s': %s, SubmitSolution sent to the template provider\n", u->name,
                    hex);
            }
            break;
        }
        SAY("BLOCK FOUND at height %u by '%s': %s (coinbase %u bytes)\n", (unsigned)height,
            u->name, hex, (unsigned)ev->coinbase_tx.len);
        if (opt.static_chain) {
            break; /* the work stays */
        }
        /* The made-up chain moves on: next template on top of this block. */
        if (sv2_template_source_advance(src, ev->block_hash) != SV2_OK ||
            sv2_pool_next_synthetic_block(pool, src, (uint32_t)time(NULL), now_ms()) != SV2_OK) {
            fprintf(stderr, "pool: next block: %s\n", sv2_pool_last_error(pool));
        } else {
            SAY("new block template at height %u sent to every channel\n",
                (unsigned)sv2_template_source_height(src));
        }
        break;
    }
    case SV2_POOL_EVENT_TARGET_CHANGED:
        SAY("conn %llu channel %u: vardiff sets difficulty %.6g\n", (unsigned long long)ev->conn,
            (unsigned)ev->channel_id, sv2_target_to_difficulty(ev->target));
        break;
    case SV2_POOL_EVENT_CHANNEL_CLOSED:
        SAY("conn %llu channel %u closed: %llu shares accepted, %llu rejected, %u blocks\n",
            (unsigned long long)ev->conn, (unsigned)ev->channel_id,
            (unsigned long long)ev->stats.shares_accepted,
            (unsigned long long)ev->stats.shares_rejected, (unsigned)ev->stats.blocks_found);
        break;
    case SV2_POOL_EVENT_ENGINE_ERROR:
        if (!opt.quiet) {
            printf("[pool]  conn %llu: refused: ", (unsigned long long)ev->conn);
            print_text("", ev->text);
            printf("\n");
        }
        break;
    case SV2_POOL_EVENT_CLOSED:
        if (!opt.quiet) {
            printf("[pool]  conn %llu closed: ", (unsigned long long)ev->conn);
            print_text("", ev->text);
            printf("\n");
        }
        c = client_of(ev->conn);
        if (c) {
            c->closing = 1;
        }
        break;
    default:
        break;
    }
}

/* Moves the pool's bytes for `c` into its buffer and the buffer into the socket. */
static void flush_client(sv2_pool *pool, struct client *c) {
    for (;;) {
        size_t n = 0;
        ssize_t w;
        if (c->out_len < OUT_CAP &&
            sv2_pool_data_to_send(pool, c->conn, c->out + c->out_len, OUT_CAP - c->out_len, &n) ==
                SV2_OK) {
            c->out_len += n;
        }
        if (c->out_len == 0) {
            return;
        }
        w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                c->out_len = 0;
                c->closing = 1;
                if (sv2_pool_peer_closed(pool, c->conn) != SV2_OK) {
                    return;
                }
            }
            return;
        }
        memmove(c->out, c->out + w, c->out_len - (size_t)w);
        c->out_len -= (size_t)w;
    }
}

static void drop_client(sv2_pool *pool, int i) {
    sv2_result rc = sv2_pool_remove(pool, clients[i]->conn);
    (void)rc;
    close(clients[i]->fd);
    free(clients[i]);
    clients[i] = NULL;
}

static int listen_on(unsigned *port) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)*port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Configures security: key and certificate from files, or generated here. Writes the
 * authority public key (for the URL) to `authority_pub`. */
static int setup_security(sv2_pool_config *cfg, uint8_t authority_pub[32]) {
    uint8_t server_secret[32];
    sv2_certificate cert;
    sv2_result rc;
    if (opt.plain) {
        return sv2_pool_config_set_plaintext(cfg) == SV2_OK ? 0 : -1;
    }
    if (opt.key_file) {
        char text[SV2_CERTIFICATE_TEXT_SIZE * 2];
        if (read_key_file(opt.key_file, server_secret) < 0 ||
            read_file(opt.cert_file, text, sizeof text) < 0) {
            return -1;
        }
        rc = sv2_certificate_from_text(text, &cert);
        if (rc != SV2_OK) {
            fprintf(stderr, "pool: %s: %s\n", opt.cert_file, sv2_result_str(rc));
            return -1;
        }
        rc = sv2_certificate_verify(&cert, cert.authority_public_key, (uint64_t)time(NULL));
        if (rc != SV2_OK) {
            fprintf(stderr, "pool: %s: %s\n", opt.cert_file, sv2_result_str(rc));
            return -1;
        }
        memcpy(authority_pub, cert.authority_public_key, 32);
        if (opt.authority_pub_file && read_key_file(opt.authority_pub_file, authority_pub) < 0) {
            return -1;
        }
        SAY("server key and certificate loaded from %s and %s\n", opt.key_file, opt.cert_file);
    } else {
        uint8_t authority_secret[32], server_public[32];
        uint32_t now = (uint32_t)time(NULL);
        if (sv2_authority_key_generate(NULL, authority_secret, authority_pub) != SV2_OK ||
            sv2_server_key_generate(NULL, server_secret, server_public) != SV2_OK ||
            sv2_certificate_sign(authority_secret, server_public, now - 3600, now + 86400, &cert) !=
                SV2_OK) {
            return -1;
        }
        memset(authority_secret, 0, sizeof authority_secret);
        SAY("generated an authority key and a server certificate valid for a day\n");
    }
    rc = sv2_pool_config_set_noise(cfg, server_secret, &cert);
    memset(server_secret, 0, sizeof server_secret);
    if (rc != SV2_OK) {
        fprintf(stderr, "pool: %s\n", sv2_pool_config_last_error(cfg));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    sv2_pool_config *cfg = NULL;
    sv2_pool *pool = NULL;
    sv2_template_source *src = NULL;
    uint8_t authority_pub[32];
    char url[512];
    int lfd, i, status = 0;
    uint64_t start, end, last_client_ms = 0;
    size_t n_stats = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    parse_args(argc, argv);
    if (sv2_pool_config_new(&cfg) != SV2_OK || setup_security(cfg, authority_pub) < 0 ||
        sv2_pool_config_set_vardiff(cfg, !opt.no_vardiff, opt.shares_per_minute) != SV2_OK ||
        sv2_pool_config_set_trace(cfg, opt.trace != 0) != SV2_OK ||
        sv2_pool_config_set_dialect(cfg, opt.dialect) != SV2_OK ||
        sv2_pool_config_set_success_flags(cfg, opt.success_flags) != SV2_OK ||
        sv2_pool_config_set_allow_work_selection(cfg, opt.allow_work_selection) != SV2_OK ||
        sv2_pool_config_set_client_max_target(cfg, opt.ignore_max_target
                                                       ? SV2_CLIENT_MAX_TARGET_IGNORE
                                                       : SV2_CLIENT_MAX_TARGET_HONOUR,
                                              NULL) != SV2_OK) {
        fprintf(stderr, "pool: configuration failed: %s\n", sv2_pool_config_last_error(cfg));
        sv2_pool_config_free(cfg);
        return 2;
    }
    if (sv2_pool_new(cfg, &pool) != SV2_OK || sv2_template_source_new(1, 100, &src) != SV2_OK ||
        (opt.tp_url ? tp_connect() < 0
                    : sv2_pool_next_synthetic_block(pool, src, (uint32_t)time(NULL), now_ms()) != SV2_OK)) {
        fprintf(stderr, "pool: cannot start: %s\n", sv2_pool_last_error(pool));
        sv2_pool_config_free(cfg);
        sv2_pool_free(pool);
        sv2_template_source_free(src);
        sv2_template_client_free(tp.client);
        return 2;
    }
    sv2_pool_config_free(cfg);
    lfd = listen_on(&opt.port);
    if (lfd < 0) {
        fprintf(stderr, "pool: cannot listen on 127.0.0.1:%u\n", opt.port);
        sv2_pool_free(pool);
        sv2_template_source_free(src);
        return 1;
    }
    if (opt.plain) {
        snprintf(url, sizeof url, "stratum2+tcp+plain://127.0.0.1:%u", opt.port);
    } else {
        char key_text[SV2_KEY_TEXT_SIZE];
        size_t size = 0;
        if (sv2_key_to_text(authority_pub, key_text, sizeof key_text, &size) != SV2_OK) {
            key_text[0] = 0;
        }
        snprintf(url, sizeof url, "stratum2+tcp://127.0.0.1:%u/%s", opt.port, key_text);
    }
    if (opt.tp_url) {
        SAY("listening on 127.0.0.1:%u, templates from the provider %s\n", opt.port, opt.tp_url);
    } else {
        SAY("listening on 127.0.0.1:%u, block template at height %u (regtest difficulty)\n",
            opt.port, (unsigned)sv2_template_source_height(src));
    }
    SAY("pool URL: %s\n", url);
    if (opt.url_file) {
        char tmp[1024];
        FILE *f;
        snprintf(tmp, sizeof tmp, "%s.tmp", opt.url_file);
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", url) < 0 || fclose(f) != 0 || rename(tmp, opt.url_file) != 0) {
            fprintf(stderr, "pool: cannot write %s\n", opt.url_file);
        }
    }

    start = now_ms();
    end = start + (uint64_t)(opt.seconds * 1000.0);
    for (;;) {
        struct pollfd fds[MAX_CLIENTS + 2];
        int idx[MAX_CLIENTS + 2];
        int nfds = 1, timeout, open_clients = 0, tp_slot = -1;
        uint64_t now = now_ms(), deadline = SV2_NO_TIMEOUT;
        sv2_pool_event ev;

        if (now >= end) {
            break;
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
            open_clients += clients[i] != NULL;
        }
        if (open_clients > 0) {
            last_client_ms = now;
        }
        /* A short grace period: a miner told to reconnect comes back at once. */
        if (opt.until_disconnect && miners_seen > 0 && open_clients == 0 &&
            now - last_client_ms > 1500) {
            SAY("the last miner has gone\n");
            break;
        }
        if (sv2_pool_poll_timeout(pool, &deadline) != SV2_OK) {
            break;
        }
        timeout = (int)(end - now);
        if (deadline != SV2_NO_TIMEOUT) {
            timeout = deadline <= now ? 0 : (deadline - now < (uint64_t)timeout ? (int)(deadline - now) : timeout);
        }
        if ((opt.reconnect_after > 0 || opt.until_disconnect) && timeout > 100) {
            timeout = 100;
        }
        fds[0].fd = lfd;
        fds[0].events = POLLIN;
        for (i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i]) {
                fds[nfds].fd = clients[i]->fd;
                fds[nfds].events = (short)(POLLIN | (clients[i]->out_len ? POLLOUT : 0));
                idx[nfds] = i;
                nfds++;
            }
        }
        if (tp.client) {
            uint64_t tp_deadline = SV2_NO_TIMEOUT;
            tp_slot = nfds;
            fds[nfds].fd = tp.fd;
            fds[nfds].events = (short)(POLLIN | (tp.out_len ? POLLOUT : 0));
            nfds++;
            if (sv2_template_client_poll_timeout(tp.client, &tp_deadline) == SV2_OK &&
                tp_deadline != SV2_NO_TIMEOUT && (tp_deadline <= now || tp_deadline - now < (uint64_t)timeout)) {
                timeout = tp_deadline <= now ? 0 : (int)(tp_deadline - now);
            }
        }
        if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR) {
            break;
        }
        now = now_ms();
        if (tp.client) {
            sv2_result rc = sv2_template_client_handle_timeout(tp.client, now);
            (void)rc;
            if (tp_pump(pool, (fds[tp_slot].revents & (POLLIN | POLLHUP | POLLERR)) != 0, now) < 0) {
                /* Without a provider there are no new templates: stop (a real pool would
                 * reconnect with a new client and keep its channels meanwhile). */
                status = 1;
                break;
            }
        }
        if (fds[0].revents & POLLIN) {
            int cfd;
            while ((cfd = accept(lfd, NULL, NULL)) >= 0) {
                int slot = -1, one = 1;
                for (i = 0; i < MAX_CLIENTS; i++) {
                    if (!clients[i]) {
                        slot = i;
                        break;
                    }
                }
                if (slot < 0) {
                    close(cfd);
                    continue;
                }
                clients[slot] = calloc(1, sizeof(struct client));
                if (!clients[slot] || sv2_pool_accept(pool, now, &clients[slot]->conn) != SV2_OK) {
                    free(clients[slot]);
                    clients[slot] = NULL;
                    close(cfd);
                    continue;
                }
                setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK);
                clients[slot]->fd = cfd;
                SAY("conn %llu: accepted a TCP connection\n", (unsigned long long)clients[slot]->conn);
            }
        }
        for (i = 1; i < nfds; i++) {
            struct client *c = i == tp_slot ? NULL : clients[idx[i]];
            if (!c || c->closing || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            for (;;) {
                uint8_t buf[4096];
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r > 0) {
                    sv2_result rc = sv2_pool_receive_data(pool, c->conn, buf, (size_t)r, now);
                    if (rc != SV2_OK) {
                        break; /* the session closed: its CLOSED event follows */
                    }
                } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                    break;
                } else {
                    sv2_result rc = sv2_pool_peer_closed(pool, c->conn);
                    (void)rc;
                    break;
                }
            }
        }
        if (deadline != SV2_NO_TIMEOUT && deadline <= now) {
            if (sv2_pool_handle_timeout(pool, now) != SV2_OK) {
                break;
            }
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = clients[i];
            if (c && !c->closing && c->setup_ms && !reconnect_done && opt.reconnect_after > 0 &&
                now - c->setup_ms >= (uint64_t)(opt.reconnect_after * 1000.0)) {
                sv2_result rc = sv2_pool_reconnect(pool, c->conn, NULL, 0);
                reconnect_done = 1;
                if (rc == SV2_OK) {
                    SAY("conn %llu: sent Reconnect (same host and port)\n", (unsigned long long)c->conn);
                } else {
                    fprintf(stderr, "pool: reconnect: %s\n", sv2_pool_last_error(pool));
                }
            }
        }
        while (sv2_pool_next_event(pool, &ev) == SV2_OK && ev.type != SV2_POOL_EVENT_NONE) {
            handle_event(pool, src, &ev);
        }
        if (opt.trace) {
            print_trace(pool);
        }
        if (tp.client && tp_pump(pool, 0, now) < 0) { /* SubmitSolution out at once */
            status = 1;
            break;
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i]) {
                flush_client(pool, clients[i]);
                if (clients[i]->closing && clients[i]->out_len == 0) {
                    drop_client(pool, i);
                }
            }
        }
    }

    /* Channels still open: their statistics from a snapshot. */
    if (sv2_pool_snapshot(pool, now_ms(), NULL, 0, &n_stats, NULL) == SV2_ERR_BUFFER_TOO_SMALL &&
        n_stats > 0) {
        sv2_channel_stats *stats = calloc(n_stats, sizeof *stats);
        sv2_pool_summary summary;
        if (stats && sv2_pool_snapshot(pool, now_ms(), stats, n_stats, &n_stats, &summary) == SV2_OK) {
            size_t k;
            printf("[pool]  snapshot: %u connections, %u channels, %.0f hashes/s estimated\n",
                   (unsigned)summary.connections, (unsigned)summary.channels, summary.total_hashrate);
            for (k = 0; k < n_stats; k++) {
                printf("[pool]    conn %llu channel %u '%.*s': %llu accepted, %.0f hashes/s\n",
                       (unsigned long long)stats[k].conn, (unsigned)stats[k].channel_id,
                       (int)stats[k].user_identity.len, (const char *)stats[k].user_identity.ptr,
                       (unsigned long long)stats[k].shares_accepted, stats[k].hashrate);
            }
        }
        free(stats);
    }
    /* Stale shares (in flight when a block changed the prevhash) should be a few per cent at
     * most: the made-up network is 1000 times harder than the share target by default. */
    printf("[pool]  totals after %.1f s: %lu shares accepted, %lu stale (%.1f %%), %lu blocks "
           "found\n",
           (double)(now_ms() - start) / 1000.0, total_accepted, total_stale,
           total_accepted + total_stale
               ? 100.0 * (double)total_stale / (double)(total_accepted + total_stale)
               : 0.0,
           total_blocks);
    if (opt.tp_url) {
        printf("[pool]  template provider: %lu templates, %lu tips, %lu solutions sent\n", tp.templates,
               tp.tips, tp.solutions_sent);
    }
    for (i = 0; i < (int)n_users; i++) {
        printf("[pool]    user '%s': %lu accepted (difficulty %.6g), %lu rejected, %lu blocks\n",
               users[i].name, users[i].accepted, users[i].difficulty, users[i].rejected,
               users[i].blocks);
    }
    for (i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i]) {
            drop_client(pool, i);
        }
    }
    close(lfd);
    if (tp.fd >= 0) {
        close(tp.fd);
    }
    sv2_template_client_free(tp.client);
    sv2_pool_free(pool);
    sv2_template_source_free(src);
    if (opt.expect_shares > 0 && (long)total_accepted < opt.expect_shares) {
        fprintf(stderr, "pool: expected at least %ld accepted shares, got %lu\n", opt.expect_shares,
                total_accepted);
        status = 1;
    }
    return status;
}
