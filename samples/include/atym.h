/* The Atym device API as seen from C: imports of the "atym" host module.
 * Contract and permissions: docs/device-api.md (the table in formats/Container/DeviceApi.cs).
 * Pointers are offsets into this module's linear memory; lengths are in bytes. */
#ifndef ATYM_H
#define ATYM_H

#include <stdint.h>

#define ATYM_IMPORT(fn) __attribute__((import_module("atym"), import_name(#fn)))
#define ATYM_EXPORT(fn) __attribute__((export_name(#fn)))

enum { ATYM_DEBUG = 0, ATYM_INFO = 1, ATYM_WARN = 2, ATYM_ERROR = 3 };

/* needs: log */
ATYM_IMPORT(log) void atym_log(int32_t level, const char *msg, int32_t len);
/* needs: clock */
ATYM_IMPORT(clock_ms) int64_t atym_clock_ms(void);
/* always allowed: the container's variables (deployment overrides applied) */
ATYM_IMPORT(var_get) int32_t atym_var_get(const char *name, int32_t name_len, char *buf, int32_t cap);
/* needs: sensor:<name>; 0 = ok, -1 = denied, -2 = unavailable */
ATYM_IMPORT(sensor_read) int32_t atym_sensor_read(const char *name, int32_t name_len, double *out);
/* needs: publish:<topic> */
ATYM_IMPORT(publish) int32_t atym_publish(const char *topic, int32_t topic_len, const void *payload, int32_t len);
/* needs: blob:<name> */
ATYM_IMPORT(blob_size) int32_t atym_blob_size(const char *name, int32_t name_len);
ATYM_IMPORT(blob_read) int32_t atym_blob_read(const char *name, int32_t name_len, int32_t offset, void *buf, int32_t len);

static inline int32_t atym_strlen(const char *s) { int32_t n = 0; while (s[n]) n++; return n; }
static inline void atym_log_str(int32_t level, const char *s) { atym_log(level, s, atym_strlen(s)); }

#endif
