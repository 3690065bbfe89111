/* anomaly-detector: loads a z-score model from the blob "model" and, each slice, reads every sensor
 * the model names and publishes an alert on "alerts/anomaly" when |x - mean| / stddev > zmax.
 * Model format (little-endian): "ATYMMDL1", u32 n (1..8), then n records of
 * { char sensor[16] (NUL padded), f32 mean, f32 stddev, f32 zmax }. Health: 0 once a valid model is loaded. */
#include <stdio.h>
#include <string.h>
#include "atym.h"

#define MAX_FEATURES 8
struct feature { char sensor[17]; float mean, stddev, zmax; };
static struct feature features[MAX_FEATURES];
static int feature_count = 0, model_ok = 0, tried = 0;
static unsigned char model[8 + 4 + MAX_FEATURES * 28];

static float f32_at(const unsigned char *p) { float f; memcpy(&f, p, 4); return f; }

static void load_model(void) {
    tried = 1;
    int32_t size = atym_blob_size("model", 5);
    if (size < 12 || size > (int32_t)sizeof model) { atym_log_str(ATYM_ERROR, "anomaly-detector: model missing or too large"); return; }
    if (atym_blob_read("model", 5, 0, model, size) != size) { atym_log_str(ATYM_ERROR, "anomaly-detector: model read failed"); return; }
    if (memcmp(model, "ATYMMDL1", 8) != 0) { atym_log_str(ATYM_ERROR, "anomaly-detector: bad model magic"); return; }
    uint32_t n; memcpy(&n, model + 8, 4);
    if (n < 1 || n > MAX_FEATURES || (int32_t)(12 + n * 28) != size) { atym_log_str(ATYM_ERROR, "anomaly-detector: bad model size"); return; }
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *r = model + 12 + i * 28;
        memcpy(features[i].sensor, r, 16);
        features[i].sensor[16] = 0;
        features[i].mean = f32_at(r + 16);
        features[i].stddev = f32_at(r + 20);
        features[i].zmax = f32_at(r + 24);
        if (!(features[i].stddev > 0) || !(features[i].zmax > 0)) { atym_log_str(ATYM_ERROR, "anomaly-detector: bad feature"); return; }
    }
    feature_count = (int)n;
    model_ok = 1;
    atym_log_str(ATYM_INFO, "anomaly-detector: model loaded");
}

ATYM_EXPORT(atym_step) int32_t atym_step(void) {
    if (!tried) load_model();
    if (!model_ok) return 0;
    for (int i = 0; i < feature_count; i++) {
        double x;
        const struct feature *f = &features[i];
        if (atym_sensor_read(f->sensor, atym_strlen(f->sensor), &x) != 0) continue;
        double z = (x - f->mean) / f->stddev;
        if (z < 0) z = -z;
        if (z > f->zmax) {
            char alert[128];
            int len = snprintf(alert, sizeof alert, "{\"sensor\":\"%s\",\"value\":%.3f,\"z\":%.2f}", f->sensor, x, z);
            atym_publish("alerts/anomaly", 14, alert, len);
        }
    }
    return 0;
}

ATYM_EXPORT(atym_health) int32_t atym_health(void) { return model_ok ? 0 : 1; }
