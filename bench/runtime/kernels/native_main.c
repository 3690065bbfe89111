/* Timing harness: KERNEL N REPEATS -> best thread CPU seconds and checksum on stdout (CPU time, not wall time:
 * the machine is shared and a descheduled thread would otherwise count other people's work). Linked with the gcc -O2 kernels
 * (native) and with wasm2c_shim.c + a wasm2c build (the same timer for both, so only the code differs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
uint32_t sha_bench(uint32_t n); uint32_t mat_bench(uint32_t n); uint32_t mat_ikj_bench(uint32_t n); uint32_t crc_bench(uint32_t n);
int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: harness KERNEL N REPEATS\n"); return 2; }
  uint32_t (*f)(uint32_t) = !strcmp(argv[1], "sha_bench") ? sha_bench : !strcmp(argv[1], "mat_bench") ? mat_bench
      : !strcmp(argv[1], "mat_ikj_bench") ? mat_ikj_bench : !strcmp(argv[1], "crc_bench") ? crc_bench : 0;
  if (!f) { fprintf(stderr, "unknown kernel '%s'\n", argv[1]); return 2; }
  uint32_t n = (uint32_t)strtoul(argv[2], 0, 10); int repeats = atoi(argv[3]);
  if (repeats < 1) { fprintf(stderr, "REPEATS must be >= 1\n"); return 2; }
  double best = 1e9; uint32_t sum = 0;
  for (int r = 0; r < repeats; r++) {
    struct timespec a, b; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    sum = f(n);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    if (s < best) best = s;
  }
  printf("%.6f %08x\n", best, sum);
  return 0;
}
