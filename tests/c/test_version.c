/* The header's version macros: checked at compile time against Cargo.toml (the Makefile passes
 * CARGO_VERSION_*) and at run time against sv2_version(). Compiled as C11 for _Static_assert. */
#include "check.h"

_Static_assert(SV2_VERSION_MAJOR == CARGO_VERSION_MAJOR, "SV2_VERSION_MAJOR differs from Cargo.toml");
_Static_assert(SV2_VERSION_MINOR == CARGO_VERSION_MINOR, "SV2_VERSION_MINOR differs from Cargo.toml");
_Static_assert(SV2_VERSION_PATCH == CARGO_VERSION_PATCH, "SV2_VERSION_PATCH differs from Cargo.toml");
_Static_assert(SV2_OK == 0, "SV2_OK must be 0");
_Static_assert(sizeof(sv2_result) == 4, "sv2_result is a uint32_t");

int main(void) {
    const char *v = sv2_version();
    CHECK(v != NULL && strncmp(v, "libsv2/", 7) == 0);
    CHECK(strncmp(v + 7, SV2_VERSION_STRING, strlen(SV2_VERSION_STRING)) == 0);
    CHECK(strstr(v, "/noise-") != NULL);
    CHECK(strcmp(sv2_result_str(SV2_OK), "success") == 0);
    CHECK(strcmp(sv2_result_str(4242), "unknown sv2_result") == 0);
    return check_report("test_version");
}
