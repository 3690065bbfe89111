/*
 * wasmtime-aot-worker: precompiles (and smoke-runs) Wasm with a libwasmtime.so chosen at run time.
 *
 * Why it exists: the x86_64 libwasmtime in the Wasmtime NuGet package cannot emit aarch64 code (it
 * aborts the process when asked), but the linux-arm64 library from the same package can, when run
 * under qemu-aarch64. This worker is cross-built with aarch64-linux-gnu-gcc, dlopens that library and
 * drives the Wasmtime C API. It is started by AtymSecure.Delivery.Compilation.WasmtimeWorkerCompiler.
 *
 * Prototypes are declared by hand (the package ships no headers); only long-stable C API entry points
 * of wasm.h / wasmtime.h with plain-pointer or standard-layout arguments are used.
 *
 * Usage:
 *   wasmtime-aot-worker LIB precompile TARGET IN.wasm OUT.cwasm [options]
 *   wasmtime-aot-worker LIB run        TARGET IN.cwasm EXPORT I32ARG [options]
 * options: --opt none|speed|speed_and_size  --epoch 0|1  --fuel 0|1  --enable FLAG  --set KEY=VALUE
 * Exit codes: 0 ok, 2 usage, 3 library/API error, 4 wasm trap, 5 I/O error.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { size_t size; uint8_t *data; } byte_vec;

/* The C API functions this worker calls, resolved with dlsym. */
static struct {
  void *(*config_new)(void);
  void *(*target_set)(void *, const char *);
  void (*flag_enable)(void *, const char *);
  void (*flag_set)(void *, const char *, const char *);
  void (*opt_level_set)(void *, uint8_t);
  void (*epoch_set)(void *, bool);
  void (*fuel_set)(void *, bool);
  void (*parallel_set)(void *, bool);
  void *(*engine_new_with_config)(void *);
  void (*engine_delete)(void *);
  void *(*module_new)(void *, const uint8_t *, size_t, void **);
  void *(*module_serialize)(void *, byte_vec *);
  void (*module_delete)(void *);
  void (*error_message)(const void *, byte_vec *);
  void (*error_delete)(void *);
  void (*byte_vec_delete)(byte_vec *);
  void *(*store_new)(void *, void *, void (*)(void *));
  void *(*store_context)(void *);
  void (*store_delete)(void *);
  void (*set_epoch_deadline)(void *, uint64_t);
  void *(*set_fuel)(void *, uint64_t);
  void *(*module_deserialize)(void *, const uint8_t *, size_t, void **);
  void *(*instance_new)(void *, const void *, const void *, size_t, void *, void **);
  bool (*instance_export_get)(void *, const void *, const char *, size_t, void *);
  void *(*func_call)(void *, const void *, const void *, size_t, void *, size_t, void **);
  void (*trap_message)(const void *, byte_vec *);
} api;

static int fail(int code, const char *what, const char *detail) {
  fprintf(stderr, "wasmtime-aot-worker: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return code;
}

static int report_error(void *err, const char *what) {
  byte_vec msg = {0, NULL};
  api.error_message(err, &msg);
  fprintf(stderr, "wasmtime-aot-worker: %s: %.*s\n", what, (int)msg.size, (const char *)msg.data);
  api.byte_vec_delete(&msg);
  api.error_delete(err);
  return 3;
}

#define BIND(field, name)                                                  \
  do {                                                                     \
    *(void **)(&api.field) = dlsym(lib, name);                             \
    if (!api.field) return fail(3, "symbol missing in library", name);      \
  } while (0)

static int bind_api(const char *path) {
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) return fail(3, "cannot load library", dlerror());
  BIND(config_new, "wasm_config_new");
  BIND(target_set, "wasmtime_config_target_set");
  BIND(flag_enable, "wasmtime_config_cranelift_flag_enable");
  BIND(flag_set, "wasmtime_config_cranelift_flag_set");
  BIND(opt_level_set, "wasmtime_config_cranelift_opt_level_set");
  BIND(epoch_set, "wasmtime_config_epoch_interruption_set");
  BIND(fuel_set, "wasmtime_config_consume_fuel_set");
  BIND(parallel_set, "wasmtime_config_parallel_compilation_set");
  BIND(engine_new_with_config, "wasm_engine_new_with_config");
  BIND(engine_delete, "wasm_engine_delete");
  BIND(module_new, "wasmtime_module_new");
  BIND(module_serialize, "wasmtime_module_serialize");
  BIND(module_delete, "wasmtime_module_delete");
  BIND(error_message, "wasmtime_error_message");
  BIND(error_delete, "wasmtime_error_delete");
  BIND(byte_vec_delete, "wasm_byte_vec_delete");
  BIND(store_new, "wasmtime_store_new");
  BIND(store_context, "wasmtime_store_context");
  BIND(store_delete, "wasmtime_store_delete");
  BIND(set_epoch_deadline, "wasmtime_context_set_epoch_deadline");
  BIND(set_fuel, "wasmtime_context_set_fuel");
  BIND(module_deserialize, "wasmtime_module_deserialize");
  BIND(instance_new, "wasmtime_instance_new");
  BIND(instance_export_get, "wasmtime_instance_export_get");
  BIND(func_call, "wasmtime_func_call");
  BIND(trap_message, "wasm_trap_message");
  return 0;
}

static int read_file(const char *path, byte_vec *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return fail(5, "cannot open input", path);
  if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return fail(5, "cannot seek input", path); }
  long len = ftell(f);
  if (len < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return fail(5, "cannot size input", path); }
  out->size = (size_t)len;
  out->data = malloc(out->size ? out->size : 1);
  if (!out->data || fread(out->data, 1, out->size, f) != out->size) {
    fclose(f);
    return fail(5, "cannot read input", path);
  }
  fclose(f);
  return 0;
}

/* Writes to PATH.tmp, flushes, then renames: a reader never sees half an artifact. */
static int write_file_atomically(const char *path, const byte_vec *bytes) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return fail(5, "output path too long", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) return fail(5, "cannot create output", tmp);
  bool ok = fwrite(bytes->data, 1, bytes->size, f) == bytes->size && fflush(f) == 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) { remove(tmp); return fail(5, "cannot write output", path); }
  return 0;
}

/* Builds the engine exactly as the managed side does, so artifacts and their loaders agree. */
static int make_engine(const char *target, int argc, char **argv, void **engine) {
  void *config = api.config_new();
  void *err = api.target_set(config, target);
  if (err) return report_error(err, "target rejected");
  api.parallel_set(config, false);
  for (int i = 0; i < argc; i++) {
    const char *opt = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!val) return fail(2, "option needs a value", opt);
    i++;
    if (strcmp(opt, "--opt") == 0) {
      uint8_t level = strcmp(val, "none") == 0 ? 0 : strcmp(val, "speed") == 0 ? 1 : strcmp(val, "speed_and_size") == 0 ? 2 : 255;
      if (level == 255) return fail(2, "unknown --opt level", val);
      api.opt_level_set(config, level);
    } else if (strcmp(opt, "--epoch") == 0) {
      api.epoch_set(config, strcmp(val, "1") == 0);
    } else if (strcmp(opt, "--fuel") == 0) {
      api.fuel_set(config, strcmp(val, "1") == 0);
    } else if (strcmp(opt, "--enable") == 0) {
      api.flag_enable(config, val);
    } else if (strcmp(opt, "--set") == 0) {
      char key[256];
      const char *eq = strchr(val, '=');
      if (!eq || (size_t)(eq - val) >= sizeof key) return fail(2, "--set needs KEY=VALUE", val);
      memcpy(key, val, (size_t)(eq - val));
      key[eq - val] = 0;
      api.flag_set(config, key, eq + 1);
    } else {
      return fail(2, "unknown option", opt);
    }
  }
  *engine = api.engine_new_with_config(config); /* takes ownership of config */
  return *engine ? 0 : fail(3, "engine creation failed", target);
}

static int precompile(const char *target, const char *in, const char *out, int argc, char **argv) {
  void *engine = NULL;
  int rc = make_engine(target, argc, argv, &engine);
  if (rc) return rc;
  byte_vec wasm;
  if ((rc = read_file(in, &wasm))) return rc;
  void *module = NULL;
  void *err = api.module_new(engine, wasm.data, wasm.size, &module);
  free(wasm.data);
  if (err) return report_error(err, "compilation failed");
  byte_vec cwasm = {0, NULL};
  err = api.module_serialize(module, &cwasm);
  if (err) return report_error(err, "serialization failed");
  rc = write_file_atomically(out, &cwasm);
  api.byte_vec_delete(&cwasm);
  api.module_delete(module);
  api.engine_delete(engine);
  return rc;
}

/* Opaque C API values passed by pointer; sized generously because only their first fields are read. */
typedef union { uint8_t bytes[64]; uint64_t align; } c_value;

static int trap_exit(void *trap) {
  byte_vec msg = {0, NULL};
  api.trap_message(trap, &msg);
  fprintf(stderr, "wasmtime-aot-worker: trap: %.*s\n", (int)msg.size, (const char *)msg.data);
  return 4;
}

/* Loads a precompiled artifact, calls one (i32) -> i32 export and prints the result in decimal. */
static int run(const char *target, const char *in, const char *export_name, const char *arg, int argc, char **argv) {
  void *engine = NULL;
  int rc = make_engine(target, argc, argv, &engine);
  if (rc) return rc;
  byte_vec cwasm;
  if ((rc = read_file(in, &cwasm))) return rc;
  void *module = NULL;
  void *err = api.module_deserialize(engine, cwasm.data, cwasm.size, &module);
  free(cwasm.data);
  if (err) return report_error(err, "artifact rejected by this engine");
  void *store = api.store_new(engine, NULL, NULL);
  void *context = api.store_context(store);
  /* Engines built with epoch or fuel checks need a budget, or the first check traps. */
  api.set_epoch_deadline(context, UINT64_MAX / 2);
  err = api.set_fuel(context, UINT64_MAX / 2);
  if (err) api.error_delete(err); /* fuel disabled in this engine: nothing to set */
  c_value instance, item, args, results;
  memset(&instance, 0, sizeof instance);
  void *trap = NULL;
  err = api.instance_new(context, module, NULL, 0, &instance, &trap);
  if (err) return report_error(err, "instantiation failed (module must have no imports)");
  if (trap) return trap_exit(trap);
  memset(&item, 0, sizeof item);
  if (!api.instance_export_get(context, &instance, export_name, strlen(export_name), &item))
    return fail(3, "export not found", export_name);
  if (item.bytes[0] != 0 /* WASMTIME_EXTERN_FUNC */) return fail(3, "export is not a function", export_name);
  /* wasmtime_val_t: kind byte, then the value union at offset 8 (i32 = kind 0). */
  memset(&args, 0, sizeof args);
  memset(&results, 0, sizeof results);
  int32_t value = (int32_t)strtol(arg, NULL, 0);
  memcpy(args.bytes + 8, &value, sizeof value);
  err = api.func_call(context, item.bytes + 8, &args, 1, &results, 1, &trap);
  if (err) return report_error(err, "call failed");
  if (trap) return trap_exit(trap);
  if (results.bytes[0] != 0) return fail(3, "export did not return an i32", export_name);
  memcpy(&value, results.bytes + 8, sizeof value);
  printf("%d\n", value);
  api.store_delete(store);
  api.module_delete(module);
  api.engine_delete(engine);
  return fflush(stdout) == 0 ? 0 : 5;
}

int main(int argc, char **argv) {
  if (argc >= 6 && strcmp(argv[2], "precompile") == 0) {
    int rc = bind_api(argv[1]);
    return rc ? rc : precompile(argv[3], argv[4], argv[5], argc - 6, argv + 6);
  }
  if (argc >= 7 && strcmp(argv[2], "run") == 0) {
    int rc = bind_api(argv[1]);
    return rc ? rc : run(argv[3], argv[4], argv[5], argv[6], argc - 7, argv + 7);
  }
  fprintf(stderr,
          "usage: wasmtime-aot-worker LIB precompile TARGET IN.wasm OUT.cwasm [options]\n"
          "       wasmtime-aot-worker LIB run TARGET IN.cwasm EXPORT I32ARG [options]\n");
  return 2;
}
