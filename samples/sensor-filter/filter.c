/* sensor-filter: reads sensor "temp0" once per slice, smooths it and publishes the result on
 * "telemetry/temp". Entry point atym_step (called once per slice), health probe atym_health.
 *   default          v1.0.0, moving average over WINDOW samples
 *   -DFILTER_V2      v1.1.0, median over WINDOW samples (the good update)
 *   -DBAD_UPDATE     v1.2.0, the bad update: its probe reports a failure, so a trial must revert */
#include <stdio.h>
#include <stdlib.h>
#include "atym.h"

#if defined(BAD_UPDATE)
#define FILTER_VERSION "1.2.0"
#elif defined(FILTER_V2)
#define FILTER_VERSION "1.1.0"
#else
#define FILTER_VERSION "1.0.0"
#endif

#define MAX_WINDOW 16
static double samples[MAX_WINDOW];
static int window = 5, count = 0, next = 0, last_read_failed = 0;

static void load_window(void) {
    char buf[8];
    int32_t n = atym_var_get("WINDOW", 6, buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        int w = atoi(buf);
        if (w >= 1 && w <= MAX_WINDOW) window = w;
    }
}

#ifdef FILTER_V2
static double smooth(void) {
    double sorted[MAX_WINDOW];
    for (int i = 0; i < count; i++) sorted[i] = samples[i];
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t;
        }
    return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}
#else
static double smooth(void) {
    double sum = 0;
    for (int i = 0; i < count; i++) sum += samples[i];
    return sum / count;
}
#endif

ATYM_EXPORT(atym_step) int32_t atym_step(void) {
    if (count == 0 && next == 0) load_window();
    double value;
    if (atym_sensor_read("temp0", 5, &value) != 0) {
        last_read_failed = 1;
        atym_log_str(ATYM_WARN, "sensor-filter: temp0 read failed");
        return 0;
    }
    last_read_failed = 0;
    samples[next] = value;
    next = (next + 1) % window;
    if (count < window) count++;
    char payload[96];
    int len = snprintf(payload, sizeof payload, "{\"v\":%.2f,\"n\":%d,\"ver\":\"" FILTER_VERSION "\"}", smooth(), count);
    atym_publish("telemetry/temp", 14, payload, len);
    return 0; /* keep running */
}

ATYM_EXPORT(atym_health) int32_t atym_health(void) {
#ifdef BAD_UPDATE
    return 3; /* the regression this variant stands for: calibration lost, never healthy */
#else
    return last_read_failed ? 1 : 0;
#endif
}
