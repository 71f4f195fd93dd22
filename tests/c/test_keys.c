/* Keys, key text, certificates and pool URLs through the C API (the `sv2 key` operations). */
/* getaddrinfo() under -std=c99 */
#define _POSIX_C_SOURCE 200112L
#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "check.h"

static void keys(void) {
    uint8_t seed[32], s1[32], p1[32], s2[32], p2[32], derived[32], decoded[32];
    char text[SV2_KEY_TEXT_SIZE], small[8];
    size_t size = 0;

    memset(seed, 7, sizeof seed);
    /* Seeded generation is reproducible. */
    CHECK_OK(sv2_authority_key_generate(seed, s1, p1));
    CHECK_OK(sv2_authority_key_generate(seed, s2, p2));
    CHECK(memcmp(s1, s2, 32) == 0 && memcmp(p1, p2, 32) == 0);
    CHECK_OK(sv2_authority_public_key(s1, derived));
    CHECK(memcmp(derived, p1, 32) == 0);
    /* OS randomness gives another key. */
    CHECK_OK(sv2_authority_key_generate(NULL, s2, p2));
    CHECK(memcmp(s1, s2, 32) != 0);

    CHECK_OK(sv2_server_key_generate(seed, s1, p1));
    CHECK_OK(sv2_server_public_key(s1, derived));
    CHECK(memcmp(derived, p1, 32) == 0);

    /* Key text round trip, and the size reporting of a too-small buffer. */
    CHECK_OK(sv2_key_to_text(p1, text, sizeof text, &size));
    CHECK(size == strlen(text) + 1 && size > 40);
    CHECK_RC(sv2_key_to_text(p1, small, sizeof small, &size), SV2_ERR_BUFFER_TOO_SMALL);
    CHECK(size == strlen(text) + 1);
    CHECK_OK(sv2_key_from_text(text, decoded));
    CHECK(memcmp(decoded, p1, 32) == 0);
    /* A mistyped character: checksum error. */
    text[5] = text[5] == 'A' ? 'B' : 'A';
    CHECK_RC(sv2_key_from_text(text, decoded), SV2_ERR_KEY_CHECKSUM);
    CHECK_RC(sv2_key_from_text("0OIl", decoded), SV2_ERR_KEY_TEXT);
    CHECK_RC(sv2_key_from_text("", decoded), SV2_ERR_KEY_TEXT);

    /* An X25519 key is generally not an Ed25519 point: authority keys are checked. */
    CHECK_OK(sv2_authority_key_generate(seed, s2, p2));
    CHECK_OK(sv2_key_to_text(p2, text, sizeof text, &size));
    CHECK_OK(sv2_authority_public_key_from_text(text, decoded));
    CHECK(memcmp(decoded, p2, 32) == 0);
}

static void certificates(void) {
    uint8_t seed[32], auth_s[32], auth_p[32], srv_s[32], srv_p[32], other_s[32], other_p[32];
    sv2_certificate cert, parsed, untouched;
    char text[SV2_CERTIFICATE_TEXT_SIZE], small[16];
    size_t size = 0;

    memset(seed, 1, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, auth_s, auth_p));
    memset(seed, 2, sizeof seed);
    CHECK_OK(sv2_server_key_generate(seed, srv_s, srv_p));
    memset(seed, 3, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, other_s, other_p));

    CHECK_OK(sv2_certificate_sign(auth_s, srv_p, 1000, 2000, &cert));
    CHECK(cert.version == 0 && cert.valid_from == 1000 && cert.not_valid_after == 2000);
    CHECK(memcmp(cert.authority_public_key, auth_p, 32) == 0);
    CHECK(memcmp(cert.server_public_key, srv_p, 32) == 0);
    CHECK_OK(sv2_certificate_verify(&cert, auth_p, 1500));
    CHECK_OK(sv2_certificate_verify(&cert, auth_p, 2000));
    CHECK_RC(sv2_certificate_verify(&cert, auth_p, 999), SV2_ERR_CERT_NOT_YET_VALID);
    CHECK_RC(sv2_certificate_verify(&cert, auth_p, 2001), SV2_ERR_CERT_EXPIRED);
    CHECK_RC(sv2_certificate_verify(&cert, other_p, 1500), SV2_ERR_CERT_AUTHORITY_MISMATCH);
    parsed = cert;
    parsed.signature[0] ^= 1;
    CHECK_RC(sv2_certificate_verify(&parsed, auth_p, 1500), SV2_ERR_CERT_BAD_SIGNATURE);

    /* Outputs are written only on success. */
    memset(&untouched, 0xAB, sizeof untouched);
    parsed = untouched;
    CHECK_RC(sv2_certificate_sign(auth_s, srv_p, 2000, 1000, &parsed), SV2_ERR_CERT_EMPTY_VALIDITY);
    CHECK(memcmp(&parsed, &untouched, sizeof parsed) == 0);

    CHECK_OK(sv2_certificate_to_text(&cert, text, sizeof text, &size));
    CHECK(size == strlen(text) + 1);
    CHECK(strstr(text, "# sv2 server certificate") == text);
    CHECK_RC(sv2_certificate_to_text(&cert, small, sizeof small, &size), SV2_ERR_BUFFER_TOO_SMALL);
    CHECK(size == strlen(text) + 1);
    CHECK_OK(sv2_certificate_from_text(text, &parsed));
    CHECK(memcmp(&parsed.signature, &cert.signature, 64) == 0 && parsed.not_valid_after == 2000);
    CHECK_RC(sv2_certificate_from_text("# sv2 server certificate\nversion = 0\n", &parsed), SV2_ERR_CERT_MALFORMED);
}

static void urls(void) {
    uint8_t seed[32], s[32], p[32];
    char key[SV2_KEY_TEXT_SIZE], url[256];
    size_t size = 0;
    sv2_pool_url u;

    memset(seed, 5, sizeof seed);
    CHECK_OK(sv2_authority_key_generate(seed, s, p));
    CHECK_OK(sv2_key_to_text(p, key, sizeof key, &size));
    snprintf(url, sizeof url, "stratum2+tcp://Pool.Example.com:3336/%s", key);
    CHECK_OK(sv2_pool_url_parse(url, &u));
    CHECK(strcmp(u.host, "pool.example.com") == 0);
    CHECK(u.port == 3336 && u.noise && memcmp(u.authority_key, p, 32) == 0);

    CHECK_OK(sv2_pool_url_parse("stratum2+tcp+plain://[::1]:34254", &u));
    CHECK(strcmp(u.host, "::1") == 0 && u.port == 34254 && !u.noise);
    /* The host is a char array, so it goes to getaddrinfo() without a cast (no -Wpointer-sign
     * under -Wall -Werror; it was uint8_t[]). A numeric host: no DNS lookup in a test. */
    {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_flags = AI_NUMERICHOST;
        hints.ai_socktype = SOCK_STREAM;
        CHECK(getaddrinfo(u.host, NULL, &hints, &res) == 0 && res != NULL && res->ai_family == AF_INET6);
        if (res) freeaddrinfo(res);
    }

    CHECK_RC(sv2_pool_url_parse("stratum+tcp://pool:3333", &u), SV2_ERR_URL_SCHEME);
    CHECK_RC(sv2_pool_url_parse("pool:3333", &u), SV2_ERR_URL_SCHEME);
    CHECK_RC(sv2_pool_url_parse("stratum2+tcp+plain://pool", &u), SV2_ERR_URL_PORT);
    CHECK_RC(sv2_pool_url_parse("stratum2+tcp+plain://:3336", &u), SV2_ERR_URL_HOST);
    CHECK_RC(sv2_pool_url_parse("stratum2+tcp://pool:3336", &u), SV2_ERR_URL_KEY);
    CHECK_RC(sv2_pool_url_parse("stratum2+tcp://pool:3336/notakey", &u), SV2_ERR_URL_KEY);
    /* A spec-2025 key (issue 20) is refused, never read as plaintext: C sessions are 2022 only. */
    CHECK_RC(sv2_pool_url_parse("stratum2+tcp://thepool.com:34254/"
                                "9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh",
                                &u),
             SV2_ERR_URL_KEY);
}

int main(void) {
    keys();
    certificates();
    urls();
    return check_report("test_keys");
}
