/* README.md "Template Distribution": a function of a provider program and of a pool. */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sv2.h"

uint64_t now_ms(void);
void submitblock(const uint8_t *block, size_t len);
extern const uint8_t server_secret[32], prev_hash[32], target[32], *tx;
extern const sv2_certificate cert;
extern uint32_t version, nbits, curtime, mintime, height, payout_outputs_len;
extern uint64_t coinbase_value, sigops, fee;
extern size_t tx_len;
extern sv2_pool *pool;
extern sv2_pool_event ev;

int snippet(void);
int snippet(void) {
    @SNIPPET@
    return 0;
}
