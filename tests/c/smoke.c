/* The smallest program using an installed libsv2 through pkg-config (`make test-c-install`):
 * cc smoke.c $(pkg-config --cflags --libs sv2) */
#include <stdio.h>
#include <string.h>

#include <sv2.h>

int main(void) {
    sv2_pool_url url;
    sv2_result rc = sv2_pool_url_parse("stratum2+tcp+plain://127.0.0.1:3336", &url);
    if (rc != SV2_OK || url.port != 3336) {
        fprintf(stderr, "sv2_pool_url_parse: %s\n", sv2_result_str(rc));
        return 1;
    }
    printf("%s: linked, pool %s port %u\n", sv2_version(), url.host, (unsigned)url.port);
    return strncmp(sv2_version(), "libsv2/" SV2_VERSION_STRING, 7 + strlen(SV2_VERSION_STRING)) == 0 ? 0 : 1;
}
