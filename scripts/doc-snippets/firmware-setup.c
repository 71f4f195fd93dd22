/* docs/firmware-guide.md: a block that makes its own handles. */
#include "firmware.h"

void snippet(void);
void snippet(void) {
    @SNIPPET@
}
