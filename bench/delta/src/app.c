/* Small sensor-processing program used by the delta bench.
 * Variants: -DFILTER_ALPHA=N changes one constant (pair "const");
 * -DCRC_TABLE switches crc32 to a table-driven rewrite (pair "func"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FILTER_ALPHA
#define FILTER_ALPHA 3
#endif

static uint32_t rng_state = 12345u;
static uint32_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

#ifdef CRC_TABLE
static uint32_t crc_table[256];
static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}
static uint32_t crc32(const uint8_t *p, size_t n) {
  if (crc_table[1] == 0) crc_init();
  uint32_t c = 0xFFFFFFFFu;
  while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}
#else
static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}
#endif

typedef struct { int32_t value; int32_t smoothed; uint32_t ticks; } sensor_t;

static int32_t filter_step(sensor_t *s, int32_t sample) {
  s->smoothed += (sample - s->smoothed) / (FILTER_ALPHA + 1);
  s->value = sample;
  s->ticks++;
  return s->smoothed;
}

static void matmul(const int32_t *a, const int32_t *b, int32_t *c, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      int64_t acc = 0;
      for (int k = 0; k < n; k++) acc += (int64_t)a[i * n + k] * b[k * n + j];
      c[i * n + j] = (int32_t)acc;
    }
}

static int compare_ints(const void *x, const void *y) {
  int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 100;
  sensor_t s = {0, 0, 0};
  uint8_t buf[1024];
  int32_t a[64], b[64], c[64], hist[256];
  uint32_t crc = 0;
  for (int r = 0; r < rounds; r++) {
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)next_random();
    crc ^= crc32(buf, sizeof buf);
    for (int i = 0; i < 64; i++) { a[i] = (int32_t)(next_random() % 100); b[i] = (int32_t)(next_random() % 100); }
    matmul(a, b, c, 8);
    for (int i = 0; i < 256; i++) hist[i] = filter_step(&s, (int32_t)(next_random() % 4096));
    qsort(hist, 256, sizeof hist[0], compare_ints);
  }
  printf("crc=%08x mat=%d median=%d ticks=%u\n", crc, c[9], hist[128], s.ticks);
  char name[32];
  snprintf(name, sizeof name, "alpha-%d", FILTER_ALPHA);
  printf("%s %zu\n", name, strlen(name));
  return 0;
}
