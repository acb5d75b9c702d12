/* sha256.c: SHA-256 block functions and the streaming wrapper. Three block functions, chosen
 * once at run time: SHA-NI intrinsics (Intel's published sequence: sha256rnds2 on the ABEF/CDGH
 * state halves, sha256msg1/msg2 for the message schedule); without SHA-NI, OpenSSL's block
 * function (SHA256_Transform, its SIMD code) through a lazily loaded libcrypto, so berth does
 * not link it; portable C if that cannot be loaded. */
#include "util/sha256.h"
#include <string.h>
#include "util/lazylib.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/sha.h>

#define LAZY_CRYPTO_FUNCS(X) X(SHA256_Transform)
LAZYLIB_DECLARE(crypto, LAZY_CRYPTO_FUNCS)
LAZYLIB_DEFINE(crypto, LAZY_CRYPTO_FUNCS, LAZY_SONAME_crypto);
#pragma GCC diagnostic pop
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI_CODE 1
#endif

static const uint32_t K[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += 64) {
		uint32_t w[64];
		for (int i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
		for (int i = 0; i < 64; i++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
	}
}

#ifdef HAVE_SHANI_CODE
/* 4 rounds on message words M (already scheduled) with constants K[k..k+3] */
#define QROUND(k, M)                                                                   \
	do {                                                                           \
		__m128i t_ = _mm_add_epi32(M, _mm_load_si128((const __m128i *)&K[k])); \
		s1 = _mm_sha256rnds2_epu32(s1, s0, t_);                                \
		t_ = _mm_shuffle_epi32(t_, 0x0E);                                      \
		s0 = _mm_sha256rnds2_epu32(s0, s1, t_);                                \
	} while (0)
/* the next 4 message words from the previous 16 (M0 oldest), written over M0 */
#define SCHED(M0, M1, M2, M3)                                                               \
	M0 = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(M0, M1),              \
						_mm_alignr_epi8(M3, M2, 4)), M3)

__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_loadu_si128((const __m128i *)&h[0]);   /* DCBA */
	__m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);  /* HGFE */
	t = _mm_shuffle_epi32(t, 0xB1);                         /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);                       /* EFGH */
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);                 /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0);                      /* CDGH */
	for (; n; n--, p += 64) {
		__m128i abef = s0, cdgh = s1;
		__m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
		__m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
		__m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
		__m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);
		QROUND(0, m0);
		QROUND(4, m1);
		QROUND(8, m2);
		QROUND(12, m3);
		for (int k = 16; k < 64; k += 16) {
			SCHED(m0, m1, m2, m3);
			QROUND(k, m0);
			SCHED(m1, m2, m3, m0);
			QROUND(k + 4, m1);
			SCHED(m2, m3, m0, m1);
			QROUND(k + 8, m2);
			SCHED(m3, m0, m1, m2);
			QROUND(k + 12, m3);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);                        /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);                       /* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xF0);                      /* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);                         /* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

static int cpu_has_shani(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_SHA) != 0;
}
#endif

/* OpenSSL's block function, one 64-byte block per call (SHA256_CTX.h is the state) */
static void blocks_openssl(uint32_t h[8], const uint8_t *p, size_t n)
{
	SHA256_CTX c;
	void (*transform)(SHA256_CTX *, const unsigned char *) = lazy_crypto_get()->SHA256_Transform;
	memcpy(c.h, h, sizeof c.h);
	for (; n; n--, p += 64)
		transform(&c, p);
	memcpy(h, c.h, sizeof c.h);
}

typedef void (*blocks_fn)(uint32_t h[8], const uint8_t *p, size_t n);
static blocks_fn blocks; /* chosen on first use */

static blocks_fn choose(void)
{
	blocks_fn f = blocks_portable;
	berr err;
#ifdef HAVE_SHANI_CODE
	if (cpu_has_shani())
		f = blocks_shani;
	else
#endif
	if (lazylib_load_crypto(&err) == 0)
		f = blocks_openssl;
	__atomic_store_n(&blocks, f, __ATOMIC_RELAXED);
	return f;
}

static inline blocks_fn get_blocks(void)
{
	blocks_fn f = __atomic_load_n(&blocks, __ATOMIC_RELAXED);
	return f ? f : choose();
}

const char *sha256_backend(void)
{
	if (get_blocks() == blocks_openssl)
		return "openssl";
#ifdef HAVE_SHANI_CODE
	if (get_blocks() == blocks_shani)
		return "shani";
#endif
	return "portable";
}

int sha256_set_backend(const char *name)
{
	if (!name) {
		__atomic_store_n(&blocks, NULL, __ATOMIC_RELAXED);
		return 0;
	}
	berr err;
	if (!strcmp(name, "openssl")) {
		if (lazylib_load_crypto(&err) < 0)
			return -1;
		__atomic_store_n(&blocks, blocks_openssl, __ATOMIC_RELAXED);
		return 0;
	}
	if (!strcmp(name, "portable")) {
		__atomic_store_n(&blocks, blocks_portable, __ATOMIC_RELAXED);
		return 0;
	}
#ifdef HAVE_SHANI_CODE
	if (!strcmp(name, "shani") && cpu_has_shani()) {
		__atomic_store_n(&blocks, blocks_shani, __ATOMIC_RELAXED);
		return 0;
	}
#endif
	return -1;
}

void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
	s->nbuf = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	blocks_fn f = get_blocks();
	s->len += len;
	if (s->nbuf) {
		size_t take = 64 - s->nbuf < len ? 64 - s->nbuf : len;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take;
		p += take;
		len -= take;
		if (s->nbuf < 64)
			return;
		f(s->h, s->buf, 1);
		s->nbuf = 0;
	}
	if (len >= 64) {
		f(s->h, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	memcpy(s->buf, p, len);
	s->nbuf = len;
}

void sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->len * 8;
	blocks_fn f = get_blocks();
	s->buf[s->nbuf++] = 0x80;
	if (s->nbuf > 56) {
		memset(s->buf + s->nbuf, 0, 64 - s->nbuf);
		f(s->h, s->buf, 1);
		s->nbuf = 0;
	}
	memset(s->buf + s->nbuf, 0, 56 - s->nbuf);
	for (int i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	f(s->h, s->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}
