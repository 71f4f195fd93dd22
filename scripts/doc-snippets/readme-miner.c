/* README.md "Miner and pool": a function of a miner program. */
#include <stdint.h>
#include <time.h>

#include "sv2.h"

uint64_t now_ms(void);
extern const char *serial;

int snippet(uint32_t nonce, uint32_t ntime);
int snippet(uint32_t nonce, uint32_t ntime) {
    @SNIPPET@
    return 0;
}
