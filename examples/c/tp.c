/* tp: a Template Provider over TCP on the sans-I/O sv2_template_provider handle, fed by the
 * synthetic block source (regtest difficulty, made-up transactions; no Bitcoin node).
 *
 *   tp [--port P] [--plain] [--seconds N] [--url-file FILE] [--expect-solutions N]
 *      [--until-disconnect]
 *
 * Without --plain it generates an authority key and a server certificate and prints the
 * provider URL with that key (stratum2+tcp://127.0.0.1:P/<key>); with --plain the URL is
 * stratum2+tcp+plain://127.0.0.1:P. Every SubmitSolution that assembles into a block is
 * printed ("SOLUTION"), and the made-up chain moves on: the next template builds on it and
 * every client gets a new future template and SetNewPrevHash. Exit status 0 unless fewer
 * than --expect-solutions blocks arrived.
 *
 * One thread, one poll() over the listener and the client sockets, as examples/c/pool.c. */
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

#define MAX_CLIENTS 16
#define OUT_CAP 65536

static struct {
    unsigned port;
    int plain;
    double seconds;
    const char *url_file;
    long expect_solutions;
    int until_disconnect;
} opt = {8442, 0, 30.0, NULL, 0, 0};

struct client {
    int fd;
    uint64_t conn;
    int closing;
    uint8_t out[OUT_CAP];
    size_t out_len;
};

static struct client *clients[MAX_CLIENTS];
static long solutions, clients_seen;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int parse_args(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--plain") == 0) {
            opt.plain = 1;
        } else if (strcmp(a, "--until-disconnect") == 0) {
            opt.until_disconnect = 1;
        } else if (strcmp(a, "--port") == 0 && v) {
            opt.port = (unsigned)atoi(v);
            i++;
        } else if (strcmp(a, "--seconds") == 0 && v) {
            opt.seconds = atof(v);
            i++;
        } else if (strcmp(a, "--url-file") == 0 && v) {
            opt.url_file = v;
            i++;
        } else if (strcmp(a, "--expect-solutions") == 0 && v) {
            opt.expect_solutions = atol(v);
            i++;
        } else {
            fprintf(stderr, "usage: tp [--port P] [--plain] [--seconds N] [--url-file FILE] "
                            "[--expect-solutions N] [--until-disconnect]\n");
            return -1;
        }
    }
    return 0;
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

/* Security: plaintext, or a generated authority key and certificate (URL written to `url`). */
static int configure(sv2_template_provider_config *cfg, char *url, size_t cap) {
    uint8_t authority_secret[32], authority_public[32], server_secret[32], server_public[32];
    char key_text[SV2_KEY_TEXT_SIZE];
    size_t size = 0;
    sv2_certificate cert;
    uint32_t now = (uint32_t)time(NULL);
    sv2_result rc;
    if (opt.plain) {
        snprintf(url, cap, "stratum2+tcp+plain://127.0.0.1:%u", opt.port);
        return sv2_template_provider_config_set_plaintext(cfg) == SV2_OK ? 0 : -1;
    }
    if (sv2_authority_key_generate(NULL, authority_secret, authority_public) != SV2_OK ||
        sv2_server_key_generate(NULL, server_secret, server_public) != SV2_OK ||
        sv2_certificate_sign(authority_secret, server_public, now - 3600, now + 86400, &cert) != SV2_OK ||
        sv2_key_to_text(authority_public, key_text, sizeof key_text, &size) != SV2_OK) {
        return -1;
    }
    memset(authority_secret, 0, sizeof authority_secret);
    rc = sv2_template_provider_config_set_noise(cfg, server_secret, &cert);
    memset(server_secret, 0, sizeof server_secret);
    snprintf(url, cap, "stratum2+tcp://127.0.0.1:%u/%s", opt.port, key_text);
    return rc == SV2_OK ? 0 : -1;
}

/* Gives the provider the source's next block (a new tip for every client). */
static int next_tip(sv2_template_provider *tp, sv2_synthetic_block_source *src) {
    sv2_block_template *t = NULL;
    uint32_t update = 0;
    size_t txs = 0;
    sv2_result rc = sv2_synthetic_block_source_next_block(src, (uint32_t)time(NULL), &t);
    if (rc == SV2_OK) {
        txs = sv2_block_template_transaction_count(t);
        rc = sv2_template_provider_set_template(tp, t, now_ms(), &update);
    }
    sv2_block_template_free(t);
    if (rc != SV2_OK) {
        fprintf(stderr, "tp: template: %s\n", sv2_template_provider_last_error(tp));
        return -1;
    }
    printf("[tp]    template at height %u (%u transactions) sent as a new tip\n",
           (unsigned)sv2_synthetic_block_source_height(src), (unsigned)txs);
    return 0;
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

static void handle_event(sv2_template_provider *tp, sv2_synthetic_block_source *src,
                         const sv2_template_provider_event *ev) {
    struct client *c;
    int k;
    switch (ev->type) {
    case SV2_PROVIDER_EVENT_CONNECTED:
        printf("[tp]    conn %llu: SetupConnection done\n", (unsigned long long)ev->conn);
        break;
    case SV2_PROVIDER_EVENT_COINBASE_OUTPUT_DATA_SIZE:
        printf("[tp]    conn %llu: CoinbaseOutputDataSize %u\n", (unsigned long long)ev->conn,
               (unsigned)ev->size);
        break;
    case SV2_PROVIDER_EVENT_SOLUTION:
        solutions++;
        printf("[tp]    SOLUTION from conn %llu: block at height %u, %u bytes, hash ",
               (unsigned long long)ev->conn, (unsigned)ev->height, (unsigned)ev->block.len);
        for (k = 31; k >= 0; k--) {
            printf("%02x", ev->block_hash[k]);
        }
        printf("%s\n", ev->stale ? " (stale)" : "");
        /* Only a block on the current tip moves the made-up chain; a second block on the same
         * template (two solutions in one read are both judged against the tip they found) is
         * a competing block, as a node would see it. */
        if (!ev->stale && ev->height == sv2_synthetic_block_source_height(src) &&
            sv2_synthetic_block_source_advance(src, ev->block_hash) == SV2_OK) {
            next_tip(tp, src);
        }
        break;
    case SV2_PROVIDER_EVENT_SOLUTION_REFUSED:
    case SV2_PROVIDER_EVENT_RESERVATION_REFUSED:
        printf("[tp]    conn %llu: refused: %.*s\n", (unsigned long long)ev->conn, (int)ev->text.len,
               (const char *)ev->text.ptr);
        break;
    case SV2_PROVIDER_EVENT_CLOSED:
        printf("[tp]    conn %llu closed: %.*s\n", (unsigned long long)ev->conn, (int)ev->text.len,
               (const char *)ev->text.ptr);
        c = client_of(ev->conn);
        if (c) {
            c->closing = 1;
        }
        break;
    default:
        break;
    }
}

static void flush_client(sv2_template_provider *tp, struct client *c) {
    for (;;) {
        size_t n = 0;
        ssize_t w;
        if (c->out_len < OUT_CAP &&
            sv2_template_provider_data_to_send(tp, c->conn, c->out + c->out_len, OUT_CAP - c->out_len,
                                               &n) == SV2_OK) {
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
                if (sv2_template_provider_peer_closed(tp, c->conn) != SV2_OK) {
                    return;
                }
            }
            return;
        }
        memmove(c->out, c->out + w, c->out_len - (size_t)w);
        c->out_len -= (size_t)w;
    }
}

static void drop_client(sv2_template_provider *tp, int i) {
    sv2_result rc = sv2_template_provider_remove(tp, clients[i]->conn);
    (void)rc;
    close(clients[i]->fd);
    free(clients[i]);
    clients[i] = NULL;
}

int main(int argc, char **argv) {
    sv2_template_provider_config *cfg = NULL;
    sv2_template_provider *tp = NULL;
    sv2_synthetic_block_source *src = NULL;
    char url[512];
    int lfd, i;
    uint64_t end;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (parse_args(argc, argv) < 0) {
        return 2;
    }
    lfd = listen_on(&opt.port);
    if (lfd < 0) {
        fprintf(stderr, "tp: cannot listen on 127.0.0.1:%u\n", opt.port);
        return 1;
    }
    if (sv2_template_provider_config_new(&cfg) != SV2_OK || configure(cfg, url, sizeof url) < 0 ||
        sv2_template_provider_new(cfg, &tp) != SV2_OK ||
        sv2_synthetic_block_source_new(1, 200, 10, &src) != SV2_OK || next_tip(tp, src) < 0) {
        fprintf(stderr, "tp: cannot start: %s\n", sv2_template_provider_config_last_error(cfg));
        sv2_template_provider_config_free(cfg);
        sv2_template_provider_free(tp);
        sv2_synthetic_block_source_free(src);
        close(lfd);
        return 2;
    }
    sv2_template_provider_config_free(cfg);
    printf("[tp]    provider URL: %s\n", url);
    if (opt.url_file) {
        char tmp[1024];
        FILE *f;
        snprintf(tmp, sizeof tmp, "%s.tmp", opt.url_file);
        f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", url) < 0 || fclose(f) != 0 || rename(tmp, opt.url_file) != 0) {
            fprintf(stderr, "tp: cannot write %s\n", opt.url_file);
        }
    }

    end = now_ms() + (uint64_t)(opt.seconds * 1000.0);
    for (;;) {
        struct pollfd fds[MAX_CLIENTS + 1];
        int idx[MAX_CLIENTS + 1];
        int nfds = 1;
        uint64_t now = now_ms(), deadline = SV2_NO_TIMEOUT;
        int timeout;
        sv2_template_provider_event ev;
        if (now >= end) {
            break;
        }
        if (opt.until_disconnect && clients_seen > 0) {
            int open_clients = 0;
            for (i = 0; i < MAX_CLIENTS; i++) {
                open_clients += clients[i] != NULL;
            }
            if (open_clients == 0) {
                printf("[tp]    the last client has gone\n");
                break;
            }
        }
        if (sv2_template_provider_poll_timeout(tp, &deadline) != SV2_OK) {
            break;
        }
        timeout = (int)(end - now);
        if (deadline != SV2_NO_TIMEOUT) {
            timeout = deadline <= now ? 0 : (deadline - now < (uint64_t)timeout ? (int)(deadline - now) : timeout);
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
        if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR) {
            break;
        }
        now = now_ms();
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
                if (!clients[slot] || sv2_template_provider_accept(tp, now, &clients[slot]->conn) != SV2_OK) {
                    free(clients[slot]);
                    clients[slot] = NULL;
                    close(cfd);
                    continue;
                }
                setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK);
                clients[slot]->fd = cfd;
                clients_seen++;
            }
        }
        for (i = 1; i < nfds; i++) {
            struct client *c = clients[idx[i]];
            if (!c || c->closing || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            for (;;) {
                uint8_t buf[4096];
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r > 0) {
                    if (sv2_template_provider_receive_data(tp, c->conn, buf, (size_t)r, now) != SV2_OK) {
                        break; /* the session closed: its CLOSED event follows */
                    }
                } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                    break;
                } else {
                    sv2_result rc = sv2_template_provider_peer_closed(tp, c->conn);
                    (void)rc;
                    break;
                }
            }
        }
        if (deadline != SV2_NO_TIMEOUT && deadline <= now &&
            sv2_template_provider_handle_timeout(tp, now) != SV2_OK) {
            break;
        }
        while (sv2_template_provider_next_event(tp, &ev) == SV2_OK && ev.type != SV2_PROVIDER_EVENT_NONE) {
            handle_event(tp, src, &ev);
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i]) {
                flush_client(tp, clients[i]);
                if (clients[i]->closing && clients[i]->out_len == 0) {
                    drop_client(tp, i);
                }
            }
        }
    }
    for (i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i]) {
            drop_client(tp, i);
        }
    }
    close(lfd);
    printf("[tp]    %ld solutions\n", solutions);
    sv2_template_provider_free(tp);
    sv2_synthetic_block_source_free(src);
    if (solutions < opt.expect_solutions) {
        fprintf(stderr, "tp: expected at least %ld solutions, got %ld\n", opt.expect_solutions, solutions);
        return 1;
    }
    return 0;
}
