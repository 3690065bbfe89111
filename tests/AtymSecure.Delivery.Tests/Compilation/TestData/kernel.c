/*
 * Small compute kernel used to prove AoT outputs run correctly on their ISA: every back end must return
 * the same value as the plain Wasm run. No imports, no libc, one 64 KiB page of linear memory.
 * Build: clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,-z,stack-size=4096
 *        -Wl,--initial-memory=65536 -Wl,--max-memory=65536 -o kernel.wasm kernel.c
 */
typedef unsigned int u32;

static u32 crc_table_free_crc32(const unsigned char *p, u32 len, u32 crc) {
  crc = ~crc;
  for (u32 i = 0; i < len; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

#define N 12
static int a[N][N], b[N][N], c[N][N];

static u32 matmul(u32 seed) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (int)((seed + (u32)(i * 7 + j * 3)) % 17u) - 8;
      b[i][j] = (int)((seed * 5u + (u32)(i * 11 + j)) % 13u) - 6;
    }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int s = 0;
      for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
  u32 h = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) h = h * 31u + (u32)c[i][j];
  return h;
}

static u32 rotr(u32 x, u32 r) { return (x >> r) | (x << (32u - r)); }

/* SHA-256-style round mixing over a 16-word schedule. */
static u32 mix(u32 seed) {
  u32 w[16], s[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                     0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
  for (u32 i = 0; i < 16; i++) w[i] = seed * 0x9E3779B9u + i;
  for (u32 r = 0; r < 64; r++) {
    u32 wi = w[r & 15] + (rotr(w[(r + 1) & 15], 7) ^ rotr(w[(r + 14) & 15], 17));
    w[r & 15] = wi;
    u32 t1 = s[7] + (rotr(s[4], 6) ^ rotr(s[4], 11) ^ rotr(s[4], 25)) + ((s[4] & s[5]) ^ (~s[4] & s[6])) + wi;
    u32 t2 = (rotr(s[0], 2) ^ rotr(s[0], 13) ^ rotr(s[0], 22)) + ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
    for (int k = 7; k > 0; k--) s[k] = s[k - 1];
    s[4] += t1;
    s[0] = t1 + t2;
  }
  return s[0] ^ s[3] ^ s[7];
}

static unsigned char buf[1024];

__attribute__((export_name("run"))) int run(int n) {
  u32 acc = 0x12345678u;
  for (int it = 0; it < n; it++) {
    for (u32 i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(acc >> (i & 24)) ^ (unsigned char)i;
    acc = crc_table_free_crc32(buf, sizeof buf, acc);
    acc ^= matmul(acc);
    acc += mix(acc);
  }
  return (int)acc;
}

/* Container entry point (containers want `() -> i32` or `_start`); the AoT tests call run(n) directly. */
__attribute__((export_name("entry"))) int entry(void) { return run(3); }
