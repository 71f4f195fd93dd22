/* loopback: a client and a server session in one process, without sockets, exchanging a
 * mining conversation, first in plaintext and then over Noise NX with a certificate signed by a
 * freshly generated pool authority key.
 *
 * The bytes one session hands out with sv2_session_data_to_send() are what a real program would
 * write to its socket; here they go straight into the other session's
 * sv2_session_receive_data(). */
#include <stdio.h>
#include <string.h>

#include "sv2.h"

#define NOW_UNIX 1700000000u

#define TRY(expr)                                                                       \
    do {                                                                                \
        sv2_result rc_ = (expr);                                                        \
        if (rc_ != SV2_OK) {                                                            \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, sv2_result_str(rc_)); \
            return 1;                                                                   \
        }                                                                               \
    } while (0)

/* Moves pending bytes from one session to the other; returns the number moved. */
static size_t transfer(sv2_session *from, sv2_session *to, uint64_t now_ms) {
    uint8_t buf[1024];
    size_t n = 0, total = 0;
    while (sv2_session_data_to_send(from, buf, sizeof buf, &n) == SV2_OK && n > 0) {
        if (sv2_session_receive_data(to, buf, n, now_ms) != SV2_OK) {
            fprintf(stderr, "receive: %s\n", sv2_session_last_error(to));
        }
        total += n;
    }
    return total;
}

static void pump(sv2_session *client, sv2_session *server, uint64_t now_ms) {
    while (transfer(client, server, now_ms) + transfer(server, client, now_ms) > 0) {
    }
}

/* Handles every pending event of one side; the server answers what the client asks. */
static int handle_events(const char *who, sv2_session *s, int is_server, uint64_t now_ms) {
    sv2_event ev;
    for (;;) {
        TRY(sv2_session_next_event(s, &ev));
        switch (ev.type) {
        case SV2_EVENT_NONE:
            return 0;
        case SV2_EVENT_HANDSHAKE_COMPLETE:
            printf("%s: Noise handshake complete (%s)\n", who,
                   ev.cipher == SV2_CIPHER_CHACHAPOLY ? "ChaChaPoly" : "AES-GCM");
            break;
        case SV2_EVENT_SETUP_COMPLETE:
            printf("%s: SetupConnection complete, protocol %u version %u\n", who,
                   (unsigned)ev.protocol, (unsigned)ev.version);
            break;
        case SV2_EVENT_MESSAGE: {
            const sv2_open_standard_mining_channel *open = sv2_message_as_open_standard_mining_channel(ev.msg);
            const sv2_submit_shares_standard *share = sv2_message_as_submit_shares_standard(ev.msg);
            const sv2_new_mining_job *job = sv2_message_as_new_mining_job(ev.msg);
            printf("%s: received %s\n", who, sv2_message_kind_name(ev.message_kind));
            if (is_server && open != NULL) {
                sv2_open_standard_mining_channel_success ok;
                sv2_new_mining_job new_job;
                uint8_t prefix[4] = {1, 2, 3, 4};
                printf("%s:   worker \"%.*s\" opens a channel\n", who, (int)open->user_identity.len,
                       (const char *)open->user_identity.ptr);
                memset(&ok, 0, sizeof ok);
                ok.request_id = open->request_id;
                ok.channel_id = 1;
                memset(ok.target, 0xff, sizeof ok.target);
                ok.extranonce_prefix.ptr = prefix;
                ok.extranonce_prefix.len = sizeof prefix;
                TRY(sv2_session_send_open_standard_mining_channel_success(s, &ok, now_ms));
                memset(&new_job, 0, sizeof new_job);
                new_job.channel_id = 1;
                new_job.job_id = 100;
                new_job.version = 0x20000000;
                TRY(sv2_session_send_new_mining_job(s, &new_job, now_ms));
            } else if (!is_server && job != NULL) {
                sv2_submit_shares_standard sub;
                memset(&sub, 0, sizeof sub);
                sub.channel_id = job->channel_id;
                sub.sequence_number = 1;
                sub.job_id = job->job_id;
                sub.nonce = 0xcafebabe;
                sub.ntime = NOW_UNIX;
                sub.version = job->version;
                TRY(sv2_session_send_submit_shares_standard(s, &sub, now_ms));
            } else if (is_server && share != NULL) {
                sv2_submit_shares_success ack;
                printf("%s:   share nonce 0x%08x for job %u\n", who, (unsigned)share->nonce, (unsigned)share->job_id);
                memset(&ack, 0, sizeof ack);
                ack.channel_id = share->channel_id;
                ack.last_sequence_number = share->sequence_number;
                ack.new_submits_accepted_count = 1;
                ack.new_shares_sum = 1;
                TRY(sv2_session_send_submit_shares_success(s, &ack, now_ms));
            }
            break;
        }
        case SV2_EVENT_CLOSED:
            printf("%s: closed (reason %u)\n", who, (unsigned)ev.close_reason);
            break;
        default:
            break;
        }
    }
}

static int run(int noise) {
    sv2_client_config *cc = NULL;
    sv2_server_config *sc = NULL;
    sv2_session *client = NULL, *server = NULL;
    sv2_open_standard_mining_channel open;
    uint64_t now_ms = 0;
    int round, status = 0;

    printf("== %s\n", noise ? "Noise NX" : "plaintext");
    TRY(sv2_client_config_new(&cc));
    TRY(sv2_server_config_new(&sc));
    TRY(sv2_client_config_set_device(cc, "loopback-example", "cpu", "0.1", "demo-1"));
    if (noise) {
        uint8_t auth_secret[32], auth_public[32], srv_secret[32], srv_public[32];
        char key_text[SV2_KEY_TEXT_SIZE];
        size_t size = 0;
        sv2_certificate cert;
        TRY(sv2_authority_key_generate(NULL, auth_secret, auth_public));
        TRY(sv2_server_key_generate(NULL, srv_secret, srv_public));
        TRY(sv2_certificate_sign(auth_secret, srv_public, NOW_UNIX - 60, NOW_UNIX + 86400, &cert));
        TRY(sv2_key_to_text(auth_public, key_text, sizeof key_text, &size));
        printf("pool URL: stratum2+tcp://127.0.0.1:3336/%s\n", key_text);
        TRY(sv2_client_config_set_authority_key(cc, auth_public));
        TRY(sv2_server_config_set_noise(sc, srv_secret, &cert));
        memset(auth_secret, 0, sizeof auth_secret);
        memset(srv_secret, 0, sizeof srv_secret);
    } else {
        TRY(sv2_client_config_set_plaintext(cc));
        TRY(sv2_server_config_set_plaintext(sc));
    }
    TRY(sv2_session_new_client(cc, NOW_UNIX, now_ms, &client));
    TRY(sv2_session_new_server(sc, now_ms, &server));
    sv2_client_config_free(cc);
    sv2_server_config_free(sc);

    for (round = 0; round < 10 && !sv2_session_is_ready(client); round++) {
        pump(client, server, ++now_ms);
        status |= handle_events("server", server, 1, now_ms);
        status |= handle_events("client", client, 0, now_ms);
    }
    if (!sv2_session_is_ready(client)) {
        fprintf(stderr, "setup did not complete: %s\n", sv2_session_last_error(client));
        status = 1;
    }

    memset(&open, 0, sizeof open);
    open.request_id = 1;
    open.user_identity = sv2_bytes_from_str("alice.worker1");
    open.nominal_hash_rate = 1.0e9f;
    memset(open.max_target, 0xff, sizeof open.max_target);
    TRY(sv2_session_send_open_standard_mining_channel(client, &open, now_ms));
    for (round = 0; round < 5; round++) {
        pump(client, server, ++now_ms);
        status |= handle_events("server", server, 1, now_ms);
        status |= handle_events("client", client, 0, now_ms);
    }
    TRY(sv2_session_close(client));
    pump(client, server, ++now_ms);
    TRY(sv2_session_peer_closed(server));
    status |= handle_events("client", client, 0, now_ms);
    status |= handle_events("server", server, 1, now_ms);
    sv2_session_free(client);
    sv2_session_free(server);
    return status;
}

int main(void) {
    int status = run(0) | run(1);
    printf("%s\n", status == 0 ? "loopback: ok" : "loopback: FAILED");
    return status;
}
