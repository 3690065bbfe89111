/* faulty: a container whose health probe always fails (stands for an update that boots but never
 * works). Its step logs once per slice; its probe returns a non-zero status. */
#include "atym.h"

static int steps = 0;

ATYM_EXPORT(atym_step) int32_t atym_step(void) {
    steps++;
    atym_log_str(ATYM_INFO, "faulty: step");
    return 0;
}

ATYM_EXPORT(atym_health) int32_t atym_health(void) { return steps >= 0 ? 7 : 0; /* always unhealthy */ }
