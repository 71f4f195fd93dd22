/* docs/firmware-guide.md: a block that runs on the network thread, which owns `m`. */
#include "firmware.h"

void snippet(sv2_miner *m);
void snippet(sv2_miner *m) {
    @SNIPPET@
}
