/* Builds connected client/server session pairs for the C tests (plaintext or Noise). */
#ifndef SV2_TEST_PAIR_H
#define SV2_TEST_PAIR_H

#include "check.h"

#define TEST_NOW_UNIX 1700000000u

/* Makes a client and a server; returns 1 on success. Both configs are freed here: sessions
 * copy what they need. */
static inline int make_pair(int noise, uint32_t client_flags, sv2_session **client, sv2_session **server) {
    uint8_t seed_a[32], seed_s[32], auth_secret[32], auth_public[32], srv_secret[32], srv_public[32];
    sv2_certificate cert;
    sv2_client_config *cc = NULL;
    sv2_server_config *sc = NULL;
    int ok = 1;
    memset(seed_a, 1, sizeof seed_a);
    memset(seed_s, 2, sizeof seed_s);
    ok &= sv2_client_config_new(&cc) == SV2_OK;
    ok &= sv2_server_config_new(&sc) == SV2_OK;
    if (!ok) {
        return 0;
    }
    ok &= sv2_client_config_set_protocol(cc, SV2_PROTOCOL_MINING, client_flags) == SV2_OK;
    ok &= sv2_client_config_set_device(cc, "test-vendor", "hw1", "fw1", "dev1") == SV2_OK;
    ok &= sv2_server_config_set_protocol(sc, SV2_PROTOCOL_MINING, 0x3, 0) == SV2_OK;
    if (noise) {
        ok &= sv2_authority_key_generate(seed_a, auth_secret, auth_public) == SV2_OK;
        ok &= sv2_server_key_generate(seed_s, srv_secret, srv_public) == SV2_OK;
        ok &= sv2_certificate_sign(auth_secret, srv_public, TEST_NOW_UNIX - 3600,
                                   TEST_NOW_UNIX + 3600, &cert) == SV2_OK;
        ok &= sv2_client_config_set_authority_key(cc, auth_public) == SV2_OK;
        ok &= sv2_server_config_set_noise(sc, srv_secret, &cert) == SV2_OK;
    } else {
        ok &= sv2_client_config_set_plaintext(cc) == SV2_OK;
        ok &= sv2_server_config_set_plaintext(sc) == SV2_OK;
    }
    ok &= sv2_session_new_client(cc, TEST_NOW_UNIX, 0, client) == SV2_OK;
    ok &= sv2_session_new_server(sc, 0, server) == SV2_OK;
    sv2_client_config_free(cc);
    sv2_server_config_free(sc);
    return ok;
}

#endif
