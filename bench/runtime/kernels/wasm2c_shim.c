/* Gives the timing harness (native_main.c) the same kernel functions as the native build, backed by a wasm2c
 * build of kernels.wasm. Uses only the stable entry points of ota-server's wasm2c glue (atym_wasm_start,
 * atym_wasm_instance, atym_wasm_try) and the exports Z_atymZ_<name>; a trap aborts with its code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int atym_wasm_start(void);
void *atym_wasm_instance(void);
int atym_wasm_try(void (*fn)(void *), void *ctx);
uint32_t Z_atymZ_sha_bench(void *, uint32_t);
uint32_t Z_atymZ_mat_bench(void *, uint32_t);
uint32_t Z_atymZ_mat_ikj_bench(void *, uint32_t);
uint32_t Z_atymZ_crc_bench(void *, uint32_t);

struct call { uint32_t (*f)(void *, uint32_t); uint32_t n, result; };

static void invoke(void *p) { struct call *c = p; c->result = c->f(atym_wasm_instance(), c->n); }

static uint32_t run(uint32_t (*f)(void *, uint32_t), uint32_t n) {
  int trap = atym_wasm_start();
  if (trap != 0) { fprintf(stderr, "wasm2c: instantiation trapped (wasm_rt_trap_t %d)\n", trap); exit(3); }
  struct call c = { f, n, 0 };
  trap = atym_wasm_try(invoke, &c);
  if (trap != 0) { fprintf(stderr, "wasm2c: kernel trapped (wasm_rt_trap_t %d)\n", trap); exit(3); }
  return c.result;
}

uint32_t sha_bench(uint32_t n) { return run(Z_atymZ_sha_bench, n); }
uint32_t mat_bench(uint32_t n) { return run(Z_atymZ_mat_bench, n); }
uint32_t mat_ikj_bench(uint32_t n) { return run(Z_atymZ_mat_ikj_bench, n); }
uint32_t crc_bench(uint32_t n) { return run(Z_atymZ_crc_bench, n); }
