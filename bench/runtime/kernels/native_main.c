/* Native harness: kernel name, iterations, repeats -> best seconds and checksum on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
uint32_t sha_bench(uint32_t n); uint32_t mat_bench(uint32_t n); uint32_t crc_bench(uint32_t n);
int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: native KERNEL N REPEATS\n"); return 2; }
  uint32_t (*f)(uint32_t) = !strcmp(argv[1], "sha_bench") ? sha_bench : !strcmp(argv[1], "mat_bench") ? mat_bench : crc_bench;
  uint32_t n = (uint32_t)atoi(argv[2]); int repeats = atoi(argv[3]);
  double best = 1e9; uint32_t sum = 0;
  for (int r = 0; r < repeats; r++) {
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    sum = f(n);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    if (s < best) best = s;
  }
  printf("%.6f %08x\n", best, sum);
  return 0;
}
