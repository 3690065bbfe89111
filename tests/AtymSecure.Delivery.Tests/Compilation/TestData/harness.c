/*
 * Firmware-side test harness for wasm2c outputs: starts the module through the glue entry points and prints
 * run(n) (n from ATYM_RUN_ARG) so the test can compare it with the plain Wasm run. Linked natively for x86_64
 * and with arm-none-eabi-gcc + picolibc (semihosting stdout) for Cortex-M4 under qemu-system-arm.
 */
#include <stdint.h>
#include <stdio.h>

extern int atym_wasm_start(void);
extern void *atym_wasm_instance(void);
extern int atym_wasm_try(void (*fn)(void *), void *ctx);
extern uint32_t Z_atymZ_run(void *instance, uint32_t n);

struct call { uint32_t arg, result; };

static void call_run(void *p) {
  struct call *c = p;
  c->result = Z_atymZ_run(atym_wasm_instance(), c->arg);
}

int main(void) {
  int trap = atym_wasm_start();
  if (trap == 0) {
    struct call c = {ATYM_RUN_ARG, 0};
    trap = atym_wasm_try(call_run, &c);
    if (trap == 0) printf("result=%d\n", (int)c.result);
  }
  if (trap != 0) printf("trap=%d\n", trap);
  /* qemu-system-arm may not exit after the guest exits: the test stops it when it sees this line. */
  printf("ATYM-DONE\n");
  fflush(stdout);
  return trap;
}
