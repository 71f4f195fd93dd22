/* docs/firmware-guide.md: a `case` of the event switch (`handle(&ev)`). */
#include "firmware.h"

void snippet(sv2_miner *m, sv2_miner_event ev);
void snippet(sv2_miner *m, sv2_miner_event ev) {
    (void)m;
    switch (ev.type) {
    @SNIPPET@
    default:
        break;
    }
}
