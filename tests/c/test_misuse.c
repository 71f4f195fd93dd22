/* Misuse of the C API: NULL handles and buffers, buffers too small, calls in the wrong state,
 * use after an error. Each returns its documented code and nothing crashes (run under
 * AddressSanitizer, UndefinedBehaviorSanitizer and valgrind by `make test-c`). */
#include "pair.h"

static void null_handles(void) {
    uint8_t buf[64], key[32];
    size_t n = 7;
    uint64_t deadline = 0;
    sv2_event ev;
    sv2_message *m = NULL;
    sv2_submit_shares_standard share;
    memset(&share, 0, sizeof share);

    /* Frees of NULL are no-ops. */
    sv2_session_free(NULL);
    sv2_client_config_free(NULL);
    sv2_server_config_free(NULL);
    sv2_message_free(NULL);

    CHECK_RC(sv2_client_config_new(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_server_config_new(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_client_config_set_plaintext(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_client_config_set_authority_key(NULL, key), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_server_config_set_noise(NULL, key, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_server_config_set_open_channel_timeout(NULL, 1000), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_config_set_open_channel_timeout(NULL, 1000), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_new_client(NULL, 0, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_new_server(NULL, 0, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_receive_data(NULL, buf, 1, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_next_event(NULL, &ev), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_data_to_send(NULL, buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK(n == 7);
    CHECK_RC(sv2_session_poll_timeout(NULL, &deadline), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_handle_timeout(NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_peer_closed(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_close(NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_send(NULL, NULL, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_send_raw(NULL, buf, 6, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_send_submit_shares_standard(NULL, &share, 0), SV2_ERR_NULL_ARG);
    CHECK(!sv2_session_wants_write(NULL));
    CHECK(!sv2_session_is_ready(NULL));
    CHECK(sv2_session_is_closed(NULL));
    CHECK(sv2_session_last_error(NULL) != NULL);
    CHECK(sv2_client_config_last_error(NULL) != NULL);
    CHECK(sv2_server_config_last_error(NULL) != NULL);

    CHECK_RC(sv2_frame_decode(NULL, 10, SV2_DIALECT_SPEC, &m, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_frame_decode(buf, 6, SV2_DIALECT_SPEC, NULL, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_frame_decode(buf, 6, SV2_DIALECT_SPEC, &m, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_message_encode(NULL, SV2_DIALECT_SPEC, buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK(sv2_message_kind(NULL) == SV2_MESSAGE_KIND_NONE);
    CHECK(sv2_message_as_setup_connection(NULL) == NULL);
    CHECK_RC(sv2_encode_submit_shares_standard(NULL, SV2_DIALECT_SPEC, buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_encode_submit_shares_standard(&share, SV2_DIALECT_SPEC, buf, sizeof buf, NULL), SV2_ERR_NULL_ARG);
    /* NULL buffer with a non-zero capacity. */
    CHECK_RC(sv2_encode_submit_shares_standard(&share, SV2_DIALECT_SPEC, NULL, 100, &n), SV2_ERR_NULL_ARG);

    CHECK_RC(sv2_authority_key_generate(NULL, NULL, key), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_server_key_generate(NULL, key, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_authority_public_key(NULL, key), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_key_to_text(NULL, (char *)buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_key_to_text(key, (char *)buf, sizeof buf, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_key_from_text(NULL, key), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_key_from_text("abc", NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_certificate_sign(key, key, 0, 1, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_certificate_verify(NULL, key, 0), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_certificate_to_text(NULL, (char *)buf, sizeof buf, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_certificate_from_text(NULL, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_pool_url_parse(NULL, NULL), SV2_ERR_NULL_ARG);
    CHECK(sv2_bytes_from_str(NULL).len == 0);
}

static void configs(void) {
    sv2_client_config *cc = NULL;
    sv2_server_config *sc = NULL;
    sv2_session *s = (sv2_session *)&s; /* must stay untouched on failure */
    sv2_session *untouched = s;
    char long_name[300];
    uint8_t key[32], other[32], seed[32];
    sv2_certificate cert;

    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_OK(sv2_client_config_new(&cc));
    CHECK_OK(sv2_server_config_new(&sc));
    /* No security chosen yet: refused, and the output is not written. */
    CHECK_RC(sv2_session_new_client(cc, 0, 0, &s), SV2_ERR_INVALID_CONFIG);
    CHECK(s == untouched);
    CHECK_RC(sv2_session_new_server(sc, 0, &s), SV2_ERR_INVALID_CONFIG);
    CHECK(s == untouched);

    CHECK_RC(sv2_client_config_set_protocol(cc, 7, 0), SV2_ERR_INVALID_ARG);
    CHECK(strstr(sv2_client_config_last_error(cc), "protocol") != NULL);
    CHECK_RC(sv2_client_config_set_dialect(cc, 42), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_client_config_set_device(cc, long_name, NULL, NULL, NULL), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_client_config_set_endpoint(cc, long_name, 1), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_client_config_set_device(cc, NULL, NULL, NULL, NULL));
    CHECK_RC(sv2_client_config_set_authority_key(cc, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_server_config_set_protocol(sc, 9, 0, 0), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_server_config_set_dialect(sc, 3), SV2_ERR_INVALID_ARG);

    /* A certificate for another server key is refused. */
    memset(seed, 1, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, key, other));
    CHECK_OK(sv2_certificate_sign(key, other, 0, 10, &cert));
    CHECK_OK(sv2_server_key_generate(seed, key, other));
    CHECK_RC(sv2_server_config_set_noise(sc, key, &cert), SV2_ERR_CERT_MALFORMED);
    CHECK(strlen(sv2_server_config_last_error(sc)) > 0);

    sv2_client_config_free(cc);
    sv2_server_config_free(sc);
}

static void wrong_state_and_after_error(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_submit_shares_standard share;
    sv2_event ev;
    uint8_t buf[8], garbage[64];
    uint8_t raw[6 + 2] = {0x00, 0x80, 0x01, 0x02, 0x00, 0x00, 0xaa, 0xbb};
    size_t n = 0;

    memset(&share, 0, sizeof share);
    CHECK(make_pair(1, 0, &client, &server));
    /* Before the handshake and setup completed. */
    CHECK_RC(sv2_session_send_submit_shares_standard(client, &share, 0), SV2_ERR_WRONG_STATE);
    CHECK(strlen(sv2_session_last_error(client)) > 0);
    CHECK_RC(sv2_session_send_raw(client, raw, sizeof raw, 0), SV2_ERR_WRONG_STATE);
    CHECK_RC(sv2_session_data_to_send(client, NULL, 10, &n), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_data_to_send(client, buf, sizeof buf, NULL), SV2_ERR_NULL_ARG);
    CHECK_RC(sv2_session_receive_data(client, NULL, 5, 0), SV2_ERR_NULL_ARG);
    CHECK_OK(sv2_session_receive_data(client, NULL, 0, 0));
    /* A length no buffer can have (a negative ssize_t in a size_t): refused, nothing read. */
    CHECK_RC(sv2_session_receive_data(client, buf, (size_t)-1, 0), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_session_receive_data(client, buf, (size_t)PTRDIFF_MAX + 1, 0), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_session_next_event(client, NULL), SV2_ERR_NULL_ARG);
    /* Freeing the message of an event (casting away const) is ignored: the session owns it. */
    pump(client, server, 1);
    CHECK(wait_event(server, SV2_EVENT_SETUP_COMPLETE, &ev));
    sv2_message_free((sv2_message *)ev.msg);
    CHECK(sv2_message_as_setup_connection(ev.msg) != NULL);
    /* Raw frames must be exactly header + payload. */
    CHECK(sv2_session_is_ready(client));
    CHECK_RC(sv2_session_send_raw(client, raw, 5, 0), SV2_ERR_INVALID_ARG);
    CHECK_RC(sv2_session_send_raw(client, raw, sizeof raw - 1, 0), SV2_ERR_INVALID_ARG);
    CHECK_OK(sv2_session_send_raw(client, raw, sizeof raw, 0));
    /* A small buffer is fine: data comes out in pieces. */
    CHECK_OK(sv2_session_data_to_send(client, buf, sizeof buf, &n));
    CHECK(n == sizeof buf);

    /* Garbage from the "peer" breaks the Noise transport: the session closes with an error. */
    memset(garbage, 0x41, sizeof garbage);
    garbage[0] = 32; /* a Noise message of 32 bytes that does not authenticate */
    garbage[1] = 0;
    CHECK(sv2_session_receive_data(server, garbage, sizeof garbage, 2) != SV2_OK);
    CHECK(wait_event(server, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.close_reason == SV2_CLOSE_ERROR && ev.error != SV2_OK);
    CHECK(strlen(sv2_session_last_error(server)) > 0);
    /* Use after the error: documented codes, no crash. */
    CHECK_RC(sv2_session_receive_data(server, garbage, sizeof garbage, 3), SV2_ERR_CLOSED);
    CHECK_RC(sv2_session_send_submit_shares_standard(server, &share, 3), SV2_ERR_CLOSED);
    CHECK_OK(sv2_session_next_event(server, &ev));
    CHECK(ev.type == SV2_EVENT_NONE);
    CHECK_OK(sv2_session_close(server));
    CHECK_OK(sv2_session_handle_timeout(server, 1000000));
    CHECK(sv2_session_is_closed(server));

    sv2_session_free(client);
    sv2_session_free(server);
}

static void plaintext_garbage(void) {
    sv2_session *client = NULL, *server = NULL;
    sv2_event ev;
    /* A plaintext server whose first frame is not SetupConnection. */
    uint8_t frame[6 + 4] = {0x00, 0x80, 0x03, 0x04, 0x00, 0x00, 1, 0, 0, 0};
    CHECK(make_pair(0, 0, &client, &server));
    CHECK_RC(sv2_session_receive_data(server, frame, sizeof frame, 0), SV2_ERR_PROTOCOL);
    CHECK(wait_event(server, SV2_EVENT_CLOSED, &ev));
    CHECK(ev.error == SV2_ERR_PROTOCOL);
    sv2_session_free(client);
    sv2_session_free(server);
}

int main(void) {
    null_handles();
    configs();
    wrong_state_and_after_error();
    plaintext_garbage();
    return check_report("test_misuse");
}
