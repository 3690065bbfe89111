/* The glue entry points for the bench-only guard-page (signal-handler) wasm2c build. ota-server's
 * Wasm2cCompiler always builds explicit bounds checks and generates this glue itself; this file mirrors its
 * three entry points so the same shim and harness run both builds. */
#include "atym.h"
#include "wasm-rt-impl.h"

static Z_atym_instance_t instance;
static int state; /* 0 not started, 1 running, 2 instantiation trapped */

void *atym_wasm_instance(void) { return state == 1 ? &instance : 0; }

int atym_wasm_try(void (*fn)(void *), void *ctx) {
  int trap = wasm_rt_impl_try();
  if (trap != 0) return trap;
  fn(ctx);
  return 0;
}

static void instantiate(void *unused) { (void)unused; Z_atym_instantiate(&instance); }

int atym_wasm_start(void) {
  if (state != 0) return state == 1 ? 0 : -1;
  wasm_rt_init();
  Z_atym_init_module();
  int trap = atym_wasm_try(instantiate, 0);
  state = trap == 0 ? 1 : 2;
  return trap;
}
