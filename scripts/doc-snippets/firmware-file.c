/* docs/firmware-guide.md: whole functions of the firmware's network code. */
#include "firmware.h"

@SNIPPET@
