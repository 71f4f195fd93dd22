/* Session tests through the C API: a client and a server in one process, no sockets, in
 * plaintext and with Noise; a mining exchange with typed senders and views; setup rejection,
 * timeouts, peer close and local close. */
#include "pair.h"

static void exchange(int noise) {
    sv2_session *client = NULL, *server = NULL;
    sv2_event ev;
    const sv2_open_standard_mining_channel *open;
    const sv2_open_standard_mining_channel_success *opened;
    const sv2_submit_shares_standard *share;
    const sv2_setup_connection *setup;
    sv2_open_standard_mining_channel open_msg;
    sv2_open_standard_mining_channel_success success_msg;
    sv2_submit_shares_standard share_msg;
    uint8_t prefix[4] = {0xde, 0xad, 0xbe, 0xef};
    uint64_t deadline = 0;

    CHECK(make_pair(noise, 0, &client, &server));
    CHECK(sv2_session_wants_write(client));
    CHECK(!sv2_session_is_ready(client));
    CHECK_OK(sv2_session_poll_timeout(client, &deadline));
    CHECK(deadline == 10000);
    pump(client, server, 1);

    if (noise) {
        CHECK(wait_event(client, SV2_EVENT_HANDSHAKE_COMPLETE, &ev));
        CHECK(ev.cipher == SV2_CIPHER_CHACHAPOLY || ev.cipher == SV2_CIPHER_AESGCM);
        CHECK(ev.negotiation_form == SV2_NEGOTIATION_STR3);
    }
    CHECK(wait_event(server, SV2_EVENT_SETUP_COMPLETE, &ev));
    CHECK(ev.protocol == SV2_PROTOCOL_MINING && ev.version == 2);
    CHECK(ev.message_kind == SV2_MESSAGE_SETUP_CONNECTION);
    setup = sv2_message_as_setup_connection(ev.msg);
    CHECK(setup != NULL && bytes_eq(setup->vendor, "test-vendor") && bytes_eq(setup->device_id, "dev1"));
    CHECK(wait_event(client, SV2_EVENT_SETUP_COMPLETE, &ev));
    CHECK(sv2_session_is_ready(client) && sv2_session_is_ready(server));
    CHECK_OK(sv2_session_poll_timeout(client, &deadline));
    CHECK(deadline == SV2_NO_TIMEOUT);

    memset(&open_msg, 0, sizeof open_msg);
    open_msg.request_id = 7;
    open_msg.user_identity = sv2_bytes_from_str("worker.1");
    open_msg.nominal_hash_rate = 1.0e12f;
    memset(open_msg.max_target, 0xff, sizeof open_msg.max_target);
    CHECK_OK(sv2_session_send_open_standard_mining_channel(client, &open_msg, 2));
    pump(client, server, 2);
    CHECK(wait_event(server, SV2_EVENT_MESSAGE, &ev));
    CHECK(ev.message_kind == SV2_MESSAGE_OPEN_STANDARD_MINING_CHANNEL);
    open = sv2_message_as_open_standard_mining_channel(ev.msg);
    CHECK(open != NULL && open->request_id == 7 && bytes_eq(open->user_identity, "worker.1"));
    CHECK(sv2_message_as_new_mining_job(ev.msg) == NULL);

    memset(&success_msg, 0, sizeof success_msg);
    success_msg.request_id = 7;
    success_msg.channel_id = 42;
    success_msg.target[31] = 0x0f;
    success_msg.extranonce_prefix.ptr = prefix;
    success_msg.extranonce_prefix.len = sizeof prefix;
    CHECK_OK(sv2_session_send_open_standard_mining_channel_success(server, &success_msg, 3));
    /* A server cannot send what only clients send. */
    CHECK_RC(sv2_session_send_open_standard_mining_channel(server, &open_msg, 3), SV2_ERR_NOT_SENDABLE);
    pump(client, server, 3);
    CHECK(wait_event(client, SV2_EVENT_MESSAGE, &ev));
    opened = sv2_message_as_open_standard_mining_channel_success(ev.msg);
    CHECK(opened != NULL && opened->channel_id == 42 && opened->target[31] == 0x0f);
    CHECK(opened != NULL && opened->extranonce_prefix.len == 4 &&
          memcmp(opened->extranonce_prefix.ptr, prefix, 4) == 0);

    memset(&share_msg, 0, sizeof share_msg);
    share_msg.channel_id = 42;
    share_msg.sequence_number = 1;
    share_msg.nonce = 0x11223344;
    CHECK_OK(sv2_session_send_submit_shares_standard(client, &share_msg, 4));
    pump(client, server, 4);
    CHECK(wait_event(server, SV2_EVENT_MESSAGE, &ev));
    CHECK(ev.has_channel_id && ev.channel_id == 42);
    share = sv2_message_as_submit_shares_standard(ev.msg);
    CHECK(share != NULL && share->nonce == 0x11223344);
    /* A received message can be forwarded as is (here back to the same kind of peer). */
    CHECK_RC(sv2_session_send(server, ev.msg, 4), SV2_ERR_NOT_SENDABLE);

    CHECK_OK(sv2_session_close(client));
    CHECK(wait_event(client, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_LOCAL);
    CHECK_RC(sv2_session_send_submit_shares_standard(client, &share_msg, 5), SV2_ERR_CLOSED);
    CHECK_OK(sv2_session_peer_closed(server));
    CHECK(wait_event(server, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_PEER_CLOSED);
    CHECK(sv2_session_is_closed(server));
    sv2_session_free(client);
    sv2_session_free(server);
}

static void setup_rejected(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_event ev;
    /* The server supports flags 0x3 only. */
    CHECK(make_pair(0, 0x4, &client, &server));
    pump(client, server, 1);
    CHECK(wait_event(server, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_SETUP_REJECTED);
    pump(client, server, 1);
    CHECK(wait_event(client, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_SETUP_REJECTED && ev.setup_error_flags == 0x4);
    CHECK(bytes_eq(ev.setup_error_code, "unsupported-feature-flags"));
    CHECK(strstr(sv2_session_last_error(client), "unsupported-feature-flags") != NULL);
    sv2_session_free(client);
    sv2_session_free(server);
}

static void handshake_timeout(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_event ev;
    uint64_t deadline = 0;
    CHECK(make_pair(1, 0, &client, &server));
    /* No bytes are exchanged: the handshake timer fires. */
    CHECK_OK(sv2_session_poll_timeout(client, &deadline));
    CHECK_OK(sv2_session_handle_timeout(client, deadline - 1));
    CHECK(!sv2_session_is_closed(client));
    CHECK_OK(sv2_session_handle_timeout(client, deadline));
    CHECK(wait_event(client, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_ERROR && ev.error == SV2_ERR_TIMEOUT_HANDSHAKE);
    CHECK(strlen(sv2_session_last_error(client)) > 0);
    sv2_session_free(client);
    sv2_session_free(server);
}

/* R55: a Mining client that sets up and asks for no channel is closed by the server after
 * the open-channel timeout (60 s by default; sv2_server_config_set_open_channel_timeout). */
static void open_channel_timeout(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_event ev;
    uint64_t deadline = 0;
    CHECK(make_pair(0, 0, &client, &server));
    pump(client, server, 1);
    CHECK(wait_event(server, SV2_EVENT_SETUP_COMPLETE, &ev));
    CHECK_OK(sv2_session_poll_timeout(server, &deadline));
    CHECK(deadline == 1 + 60000);
    CHECK_OK(sv2_session_handle_timeout(server, deadline - 1));
    CHECK(!sv2_session_is_closed(server));
    CHECK_OK(sv2_session_handle_timeout(server, deadline));
    CHECK(wait_event(server, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_ERROR && ev.error == SV2_ERR_TIMEOUT_OPEN_CHANNEL);
    CHECK(strcmp(sv2_result_str(SV2_ERR_TIMEOUT_OPEN_CHANNEL), "no channel opened in time after setup") == 0);
    sv2_session_free(client);
    sv2_session_free(server);
}

static void wrong_authority(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_client_config *cc = NULL;
    sv2_event ev;
    uint8_t other_secret[32], other_public[32], seed[32];
    CHECK(make_pair(1, 0, &client, &server));
    sv2_session_free(client);
    /* A client trusting another authority refuses the server's certificate. */
    memset(seed, 9, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, other_secret, other_public));
    CHECK_OK(sv2_client_config_new(&cc));
    CHECK_OK(sv2_client_config_set_authority_key(cc, other_public));
    CHECK_OK(sv2_session_new_client(cc, TEST_NOW_UNIX, 0, &client));
    sv2_client_config_free(cc);
    pump(client, server, 1);
    CHECK(wait_event(client, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_ERROR && ev.error == SV2_ERR_CERT_BAD_SIGNATURE);
    sv2_session_free(client);
    sv2_session_free(server);
}

static void byte_by_byte(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_event ev;
    uint8_t byte;
    size_t n = 0;
    int guard;
    CHECK(make_pair(1, 0, &client, &server));
    /* Deliver the client's and server's bytes one at a time until setup completes. */
    for (guard = 0; guard < 100000 && !sv2_session_is_ready(client); guard++) {
        int moved = 0;
        if (sv2_session_data_to_send(client, &byte, 1, &n) == SV2_OK && n == 1) {
            CHECK_OK(sv2_session_receive_data(server, &byte, 1, 1));
            moved = 1;
        }
        if (sv2_session_data_to_send(server, &byte, 1, &n) == SV2_OK && n == 1) {
            CHECK_OK(sv2_session_receive_data(client, &byte, 1, 1));
            moved = 1;
        }
        if (!moved) {
            break;
        }
    }
    CHECK(sv2_session_is_ready(client));
    CHECK(wait_event(server, SV2_EVENT_SETUP_COMPLETE, &ev));
    sv2_session_free(client);
    sv2_session_free(server);
}

/* Issue 13 items 2 and 9: the dialect alone selects the Noise negotiation, and the Noise
 * settings (profile override, ciphers by either name, negotiation on/off, versions) work the
 * same as in Rust, Python and Node. Returns the handshake event of the client. */
static int noise_handshake(sv2_dialect client_dialect, const char *client_profile,
                           const char *client_ciphers, bool negotiate, sv2_dialect server_dialect,
                           const char *server_ciphers, sv2_event *client_ev) {
    uint8_t seed_a[32], seed_s[32], auth_secret[32], auth_public[32], srv_secret[32], srv_public[32];
    sv2_certificate cert;
    sv2_client_config *cc = NULL;
    sv2_server_config *sc = NULL;
    sv2_session *client = NULL, *server = NULL;
    int ok = 1;
    memset(seed_a, 1, sizeof seed_a);
    memset(seed_s, 2, sizeof seed_s);
    ok &= sv2_authority_key_generate(seed_a, auth_secret, auth_public) == SV2_OK;
    ok &= sv2_server_key_generate(seed_s, srv_secret, srv_public) == SV2_OK;
    ok &= sv2_certificate_sign(auth_secret, srv_public, TEST_NOW_UNIX - 3600, TEST_NOW_UNIX + 3600,
                               &cert) == SV2_OK;
    ok &= sv2_client_config_new(&cc) == SV2_OK;
    ok &= sv2_server_config_new(&sc) == SV2_OK;
    if (!ok) {
        return 0;
    }
    ok &= sv2_client_config_set_authority_key(cc, auth_public) == SV2_OK;
    ok &= sv2_client_config_set_dialect(cc, client_dialect) == SV2_OK;
    ok &= sv2_client_config_set_noise_profile(cc, client_profile) == SV2_OK;
    ok &= sv2_client_config_set_ciphers(cc, client_ciphers) == SV2_OK;
    ok &= sv2_client_config_set_negotiation(cc, negotiate) == SV2_OK;
    ok &= sv2_server_config_set_noise(sc, srv_secret, &cert) == SV2_OK;
    ok &= sv2_server_config_set_dialect(sc, server_dialect) == SV2_OK;
    ok &= sv2_server_config_set_ciphers(sc, server_ciphers) == SV2_OK;
    ok &= sv2_session_new_client(cc, TEST_NOW_UNIX, 0, &client) == SV2_OK;
    ok &= sv2_session_new_server(sc, 0, &server) == SV2_OK;
    sv2_client_config_free(cc);
    sv2_server_config_free(sc);
    if (ok) {
        pump(client, server, 1);
        ok = wait_event(client, SV2_EVENT_HANDSHAKE_COMPLETE, client_ev);
    }
    sv2_session_free(client);
    sv2_session_free(server);
    return ok;
}

static void noise_settings(void) {
    sv2_event ev;
    sv2_client_config *cc = NULL;
    sv2_server_config *sc = NULL;
    sv2_session *client = NULL;
    /* The Braiins reply to an STR3 offer (profile braiins-2021 N2). */
    const uint8_t braiins_reply[] = {0x09, 0x00, 'S', 'T', 'R', '2', 0x01, 'A', 'E', 'S', 'G'};

    /* The dialect alone: braiins-2021 offers STR2 and its server prefers AESGCM. */
    CHECK(noise_handshake(SV2_DIALECT_BRAIINS_2021, NULL, NULL, true, SV2_DIALECT_BRAIINS_2021, NULL, &ev));
    CHECK(ev.negotiation_form == SV2_NEGOTIATION_STR2 && ev.cipher == SV2_CIPHER_AESGCM);
    CHECK(noise_handshake(SV2_DIALECT_SPEC, NULL, NULL, true, SV2_DIALECT_SPEC, NULL, &ev));
    CHECK(ev.negotiation_form == SV2_NEGOTIATION_STR3 && ev.cipher == SV2_CIPHER_CHACHAPOLY);
    /* Overrides: the profile (any case), the offer (either spelling), no negotiation. */
    CHECK(noise_handshake(SV2_DIALECT_BRAIINS_2021, "SRI-2023", NULL, true, SV2_DIALECT_SPEC, NULL, &ev));
    CHECK(ev.negotiation_form == SV2_NEGOTIATION_STR3);
    CHECK(noise_handshake(SV2_DIALECT_BRAIINS_2021, NULL, "chacha20-poly1305", true,
                          SV2_DIALECT_BRAIINS_2021, NULL, &ev));
    CHECK(ev.cipher == SV2_CIPHER_CHACHAPOLY);
    CHECK(noise_handshake(SV2_DIALECT_SPEC, NULL, "CHCH AESG", true, SV2_DIALECT_SPEC, "aesgcm,ChaChaPoly", &ev));
    CHECK(ev.cipher == SV2_CIPHER_AESGCM);
    CHECK(noise_handshake(SV2_DIALECT_BRAIINS_2021, NULL, NULL, false, SV2_DIALECT_SPEC, NULL, &ev));
    CHECK(ev.negotiation_form == SV2_NEGOTIATION_NONE && ev.cipher == SV2_CIPHER_CHACHAPOLY);

    /* Bad values are refused with a text naming the accepted ones; nothing changes. */
    CHECK_OK(sv2_client_config_new(&cc));
    CHECK_OK(sv2_server_config_new(&sc));
    CHECK_RC(sv2_client_config_set_ciphers(cc, "AESG,rot13"), SV2_ERR_INVALID_ARG);
    CHECK(strstr(sv2_client_config_last_error(cc), "CHCH (ChaChaPoly) or AESG (AESGCM)") != NULL);
    CHECK_RC(sv2_server_config_set_ciphers(sc, ""), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_server_config_set_noise_profile(sc, "stratum-v1"), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_client_config_set_versions(cc, 3, 2), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_client_config_set_versions(cc, 2, 3));
    CHECK_OK(sv2_server_config_set_negotiation(sc, false));
    CHECK_RC(sv2_client_config_set_ciphers(NULL, "CHCH"), SV2_ERR_NULL_ARG);

    /* A spec-dialect client given the Braiins server's reply is told the dialect to use. */
    {
        uint8_t seed[32], auth_secret[32], auth_public[32];
        memset(seed, 1, sizeof seed);
        CHECK_OK(sv2_authority_key_generate(seed, auth_secret, auth_public));
        CHECK_OK(sv2_client_config_set_authority_key(cc, auth_public));
        CHECK_OK(sv2_session_new_client(cc, TEST_NOW_UNIX, 0, &client));
        CHECK_RC(sv2_session_receive_data(client, braiins_reply, sizeof braiins_reply, 1),
                 SV2_ERR_NOISE_NEGOTIATION);
        CHECK(strstr(sv2_session_last_error(client), "configure dialect braiins-2021") != NULL);
        sv2_session_free(client);
    }
    sv2_client_config_free(cc);
    sv2_server_config_free(sc);
}

/* Issue 13 item 12: the wire tap, polled like events. */
static void wire_tap(void) {
    sv2_client_config *cc = NULL;
    sv2_server_config *sc = NULL;
    sv2_session *client = NULL, *server = NULL, *untraced = NULL;
    sv2_event ev;
    char line[1024], tiny[8];
    size_t size = 99;
    CHECK_OK(sv2_client_config_new(&cc));
    CHECK_OK(sv2_server_config_new(&sc));
    CHECK_OK(sv2_client_config_set_plaintext(cc));
    CHECK_OK(sv2_server_config_set_plaintext(sc));
    CHECK_OK(sv2_client_config_set_device(cc, "tap-vendor", NULL, NULL, NULL));
    CHECK_OK(sv2_session_new_client(cc, TEST_NOW_UNIX, 0, &untraced));
    CHECK_OK(sv2_client_config_set_trace(cc, true));
    CHECK_OK(sv2_server_config_set_trace(sc, true));
    CHECK_OK(sv2_session_new_client(cc, TEST_NOW_UNIX, 0, &client));
    CHECK_OK(sv2_session_new_server(sc, 0, &server));
    sv2_client_config_free(cc);
    sv2_server_config_free(sc);
    /* Off by default: nothing to take. */
    CHECK_OK(sv2_session_next_trace(untraced, line, sizeof line, &size));
    CHECK(size == 0);
    /* The plaintext client's SetupConnection is traced from the start. A buffer too small
     * says the size needed and keeps the line. */
    CHECK_RC(sv2_session_next_trace(client, tiny, sizeof tiny, &size), SV2_ERR_BUFFER_TOO_SMALL);
    CHECK(size > sizeof tiny);
    CHECK_OK(sv2_session_next_trace(client, line, sizeof line, &size));
    CHECK(size == strlen(line) + 1);
    CHECK(strncmp(line, "{\"direction\":\"sent\",\"frame\":{\"protocol\":\"Common\",\"message\":\"SetupConnection\"", 74) == 0);
    CHECK(strstr(line, "\"vendor\":\"tap-vendor\"") != NULL);
    pump(client, server, 1);
    CHECK(wait_event(client, SV2_EVENT_SETUP_COMPLETE, &ev));
    CHECK_OK(sv2_session_next_trace(server, line, sizeof line, &size));
    CHECK(strstr(line, "{\"direction\":\"received\",\"frame\":{\"protocol\":\"Common\",\"message\":\"SetupConnection\"") == line);
    CHECK_OK(sv2_session_next_trace(server, line, sizeof line, &size));
    CHECK(strstr(line, "\"direction\":\"sent\"") != NULL && strstr(line, "SetupConnection.Success") != NULL);
    CHECK_OK(sv2_session_next_trace(server, line, sizeof line, &size));
    CHECK(size == 0);
    CHECK_OK(sv2_session_next_trace(client, line, sizeof line, &size));
    CHECK(strstr(line, "\"direction\":\"received\"") != NULL && strstr(line, "SetupConnection.Success") != NULL);
    CHECK_RC(sv2_session_next_trace(client, line, sizeof line, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_next_trace(NULL, line, sizeof line, &size), SV2_ERR_NULL_ARG);
    sv2_session_free(untraced);
    sv2_session_free(client);
    sv2_session_free(server);
}

int main(void) {
    exchange(0);
    exchange(1);
    setup_rejected();
    handshake_timeout();
    open_channel_timeout();
    wrong_authority();
    byte_by_byte();
    noise_settings();
    wire_tap();
    return check_report("test_session");
}
