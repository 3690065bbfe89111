/* Bare-metal stand-in for <sys/mman.h>: wasm2c's runtime includes it unconditionally, but its mmap helpers
   are static and unused when WASM_RT_MEMCHECK_SIGNAL_HANDLER=0 (explicit bounds checks), so only the
   declarations are needed for the file to compile; no code referencing them is emitted. */
#ifndef ATYM_MCU_STUB_SYS_MMAN_H
#define ATYM_MCU_STUB_SYS_MMAN_H
#include <stddef.h>
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);
#endif
