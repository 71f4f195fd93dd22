/* docs/firmware-guide.md: a nonce from a board, back on the network thread. */
#include "firmware.h"

void snippet(sv2_miner *m, const sv2_work *w, uint32_t nonce, uint32_t ntime, uint32_t version);
void snippet(sv2_miner *m, const sv2_work *w, uint32_t nonce, uint32_t ntime, uint32_t version) {
    @SNIPPET@
}
