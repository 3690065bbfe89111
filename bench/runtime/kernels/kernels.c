/* Compute kernels for the runtime bench: the same source is built natively (gcc -O2) and to wasm32
 * (clang -O2, no libc; a second build adds -msimd128), so the ratio is engine cost only. Each export runs N iterations and returns a
 * checksum, so results can be compared across engines and nothing is optimised away. */
#include <stdint.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#define EXPORT(name)
#endif

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static const uint32_t K[64] = {
  0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
  0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
  0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
  0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
  0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
  0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
  0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
  0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2};

static void sha256_block(uint32_t h[8], const uint32_t in[16]) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) w[i] = in[i];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = rotr(w[i-15], 7) ^ rotr(w[i-15], 18) ^ (w[i-15] >> 3);
    uint32_t s1 = rotr(w[i-2], 17) ^ rotr(w[i-2], 19) ^ (w[i-2] >> 10);
    w[i] = w[i-16] + s0 + w[i-7] + s1;
  }
  uint32_t a=h[0],b=h[1],c=h[2],d=h[3],e=h[4],f=h[5],g=h[6],hh=h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (rotr(e,6)^rotr(e,11)^rotr(e,25)) + ((e&f)^(~e&g)) + K[i] + w[i];
    uint32_t t2 = (rotr(a,2)^rotr(a,13)^rotr(a,22)) + ((a&b)^(a&c)^(b&c));
    hh=g; g=f; f=e; e=d+t1; d=c; c=b; b=a; a=t1+t2;
  }
  h[0]+=a; h[1]+=b; h[2]+=c; h[3]+=d; h[4]+=e; h[5]+=f; h[6]+=g; h[7]+=hh;
}

EXPORT(sha_bench) uint32_t sha_bench(uint32_t n) {
  uint32_t h[8] = {0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19};
  uint32_t block[16];
  for (int i = 0; i < 16; i++) block[i] = (uint32_t)i * 0x01010101u;
  for (uint32_t i = 0; i < n; i++) { block[0] = i; sha256_block(h, block); }
  return h[0] ^ h[7];
}

#define M 64
static int32_t A[M*M], B[M*M], C[M*M];

EXPORT(mat_bench) uint32_t mat_bench(uint32_t n) {
  for (int i = 0; i < M*M; i++) { A[i] = i % 7 - 3; B[i] = i % 5 - 2; }
  uint32_t sum = 0;
  for (uint32_t r = 0; r < n; r++) {
    A[r % (M*M)] += 1;
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        int32_t acc = 0;
        for (int k = 0; k < M; k++) acc += A[i*M+k] * B[k*M+j];
        C[i*M+j] = acc;
      }
    sum += (uint32_t)C[(r * 31) % (M*M)];
  }
  return sum;
}

/* The same product with the loops in i-k-j order (row of A times rows of B, accumulated into a row of C):
 * the textbook loop interchange, applied to the C source both compilers see, so it stays a fair comparison.
 * Its inner loop walks B and C contiguously, which any vectoriser (gcc -O2, clang -msimd128) can use.
 * Integer sums wrap identically in any order, so it returns exactly mat_bench's checksum. */
EXPORT(mat_ikj_bench) uint32_t mat_ikj_bench(uint32_t n) {
  for (int i = 0; i < M*M; i++) { A[i] = i % 7 - 3; B[i] = i % 5 - 2; }
  uint32_t sum = 0;
  for (uint32_t r = 0; r < n; r++) {
    A[r % (M*M)] += 1;
    for (int i = 0; i < M; i++) {
      int32_t *c = &C[i*M];
      const int32_t a0 = A[i*M];
      for (int j = 0; j < M; j++) c[j] = a0 * B[j]; /* k = 0 (not a zeroing loop: that becomes a libc memset call) */
      for (int k = 1; k < M; k++) {
        const int32_t a = A[i*M+k];
        const int32_t *b = &B[k*M];
        for (int j = 0; j < M; j++) c[j] += a * b[j];
      }
    }
    sum += (uint32_t)C[(r * 31) % (M*M)];
  }
  return sum;
}

static uint8_t buf[4096];

EXPORT(crc_bench) uint32_t crc_bench(uint32_t n) {
  for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)(i * 131 + 7);
  uint32_t crc = 0xFFFFFFFFu;
  for (uint32_t r = 0; r < n; r++) {
    buf[r & 4095] ^= (uint8_t)r;
    for (int i = 0; i < 4096; i++) {
      crc ^= buf[i];
      for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}
