/* pcomp.c: the threaded layer compressor (see image/pcomp.h). Three stages: the caller fills
 * 1 MiB chunks and hashes them (diff ID); worker threads deflate chunks independently; one
 * writer thread takes the finished chunks in order, hashes and writes them. A ring of QN
 * slots bounds the memory in flight. */
#include "image/pcomp.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "util/fs.h"
#include "util/strbuf.h"

#define CHUNK (1u << 20)
#define DICT 32768u
#define PIECE 65536u
#define QN 8
#define GZ_LEVEL 6

enum { J_FREE, J_QUEUED, J_WORKING, J_DONE };

struct job {
	unsigned char *in;
	size_t inlen;
	unsigned char *dict;
	size_t dictlen;
	unsigned char *out;
	size_t outlen, outcap;
	uLong crc;
	bool last;
	int state;
};

struct pcomp {
	int fd;
	enum layer_compression comp;
	int nworkers;
	pthread_t workers[4];
	pthread_t writer;
	bool writer_up;
	pthread_mutex_t mu;
	pthread_cond_t c_work, c_done, c_free;
	struct job jobs[QN];
	uint64_t prod_seq, work_seq, write_seq;
	bool stop, abort, finished;
	struct digester *dg_u, *dg_c;
	uint64_t usize, csize;
	uLong crc;
	bool header_done;
	ZSTD_CCtx *zc;
	unsigned char *zbuf;
	size_t zbuf_cap;
	bool failed;
	int errnum;
	char errmsg[256];
	unsigned char *stage;        /* output staging, STAGE bytes, page aligned */
	size_t stage_len;
	bool direct, direct_tried;
};

/* ---- the workers: one chunk -> raw deflate, byte-aligned (sync flush) unless last ---- */

/* Byte values nearly uniform: Renyi-2 entropy above ~7.97 bits per byte (sum p^2 < 1/251),
 * which bounds the Shannon entropy from below. Deflate would gain next to nothing. */
static bool incompressible(const unsigned char *p, size_t n)
{
	if (n < 4096)
		return false;
	uint32_t h[4][256];
	memset(h, 0, sizeof h);
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		h[0][p[i]]++;
		h[1][p[i + 1]]++;
		h[2][p[i + 2]]++;
		h[3][p[i + 3]]++;
	}
	for (; i < n; i++)
		h[0][p[i]]++;
	uint64_t sq = 0;
	for (int c = 0; c < 256; c++) {
		uint64_t v = (uint64_t)h[0][c] + h[1][c] + h[2][c] + h[3][c];
		sq += v * v;
	}
	return sq * 251 < (uint64_t)n * n;
}

static void out_room(struct job *j, z_stream *z)
{
	size_t used = j->outcap - z->avail_out;
	if (z->avail_out >= 1024)
		return;
	j->outcap *= 2;
	j->out = xrealloc(j->out, j->outcap);
	z->next_out = j->out + used;
	z->avail_out = (uInt)(j->outcap - used);
}

static int gz_chunk(z_stream *z, struct job *j)
{
	deflateReset(z);
	if (deflateParams(z, GZ_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	int level = GZ_LEVEL;
	z->next_out = j->out;
	z->avail_out = (uInt)j->outcap;
	if (j->dictlen && deflateSetDictionary(z, j->dict, (uInt)j->dictlen) != Z_OK)
		return -1;
	for (size_t off = 0; off < j->inlen; off += PIECE) {
		size_t n = j->inlen - off < PIECE ? j->inlen - off : PIECE;
		int want = incompressible(j->in + off, n) ? 0 : GZ_LEVEL;
		if (want != level) {
			for (;;) {
				out_room(j, z);
				int r = deflateParams(z, want, Z_DEFAULT_STRATEGY);
				if (r == Z_OK)
					break;
				if (r != Z_BUF_ERROR)
					return -1;
				size_t used = j->outcap - z->avail_out;
				j->outcap *= 2;
				j->out = xrealloc(j->out, j->outcap);
				z->next_out = j->out + used;
				z->avail_out = (uInt)(j->outcap - used);
			}
			level = want;
		}
		z->next_in = j->in + off;
		z->avail_in = (uInt)n;
		while (z->avail_in) {
			out_room(j, z);
			if (deflate(z, Z_NO_FLUSH) == Z_STREAM_ERROR)
				return -1;
		}
	}
	for (;;) {
		out_room(j, z);
		int r = deflate(z, j->last ? Z_FINISH : Z_SYNC_FLUSH);
		if (r == Z_STREAM_ERROR)
			return -1;
		if (j->last ? r == Z_STREAM_END : z->avail_out >= 1024)
			break;
	}
	j->outlen = j->outcap - z->avail_out;
	j->crc = crc32(0L, j->in, (uInt)j->inlen);
	return 0;
}

static void *worker_main(void *arg)
{
	struct pcomp *p = arg;
	z_stream z;
	memset(&z, 0, sizeof z);
	bool ok = deflateInit2(&z, GZ_LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->abort && !(p->work_seq < p->prod_seq) && !p->stop)
			pthread_cond_wait(&p->c_work, &p->mu);
		if (p->abort || !(p->work_seq < p->prod_seq))
			break;
		struct job *j = &p->jobs[p->work_seq % QN];
		p->work_seq++;
		j->state = J_WORKING;
		pthread_mutex_unlock(&p->mu);
		int rc = ok ? gz_chunk(&z, j) : -1;
		pthread_mutex_lock(&p->mu);
		if (rc < 0 && !p->failed) {
			p->failed = true;
			snprintf(p->errmsg, sizeof p->errmsg, "gzip: deflate failed");
		}
		j->state = J_DONE;
		pthread_cond_broadcast(&p->c_done);
	}
	pthread_mutex_unlock(&p->mu);
	if (ok)
		deflateEnd(&z);
	return NULL;
}

/* ---- the writer: in order, hash + write ----
 * Output is staged in 4 MiB aligned blocks; once a layer is that big, the blocks are written
 * with O_DIRECT (a regular file only): on a VM's disk this is much faster than copying
 * through the page cache, and the fsync after has little left to do. The tail (and any file
 * system that refuses O_DIRECT) goes through the page cache. */
#define STAGE (4u << 20)

static void set_fail(struct pcomp *p, const char *what)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed) {
		p->failed = true;
		p->errnum = errno;
		snprintf(p->errmsg, sizeof p->errmsg, "%s: %s", what, strerror(errno));
	}
	pthread_mutex_unlock(&p->mu);
}

static void set_direct(struct pcomp *p, bool on)
{
	int fl = fcntl(p->fd, F_GETFL);
	if (fl >= 0 && fcntl(p->fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) == 0)
		p->direct = on;
}

static void write_stage(struct pcomp *p, bool final)
{
	if (p->fd < 0) { /* hashing only */
		p->stage_len = 0;
		return;
	}
	if (!final && !p->direct_tried) {
		struct stat st;
		p->direct_tried = true;
		if (fstat(p->fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(p->fd, 0, SEEK_CUR) == 0)
			set_direct(p, true);
	}
	if (final && p->direct)
		set_direct(p, false);
	size_t off = 0;
	while (off < p->stage_len) {
		ssize_t w = write(p->fd, p->stage + off, p->stage_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EINVAL && p->direct) {
			set_direct(p, false);
			continue;
		}
		if (w <= 0) {
			set_fail(p, "write layer");
			break;
		}
		off += (size_t)w;
	}
	p->stage_len = 0;
}

static void out_bytes(struct pcomp *p, const void *b, size_t n)
{
	if (p->failed || !n)
		return;
	if (p->dg_c)
		digester_update(p->dg_c, b, n);
	p->csize += n;
	if (p->fd < 0)
		return;
	const unsigned char *c = b;
	while (n && !p->failed) {
		size_t take = STAGE - p->stage_len < n ? STAGE - p->stage_len : n;
		memcpy(p->stage + p->stage_len, c, take);
		p->stage_len += take;
		c += take;
		n -= take;
		if (p->stage_len == STAGE)
			write_stage(p, false);
	}
}

static void put_le32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 24);
}

static void zstd_feed(struct pcomp *p, const void *data, size_t n, bool fin)
{
	ZSTD_inBuffer in = { data, n, 0 };
	for (;;) {
		ZSTD_outBuffer ob = { p->zbuf, p->zbuf_cap, 0 };
		size_t r = ZSTD_compressStream2(p->zc, &ob, &in, fin ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(r)) {
			pthread_mutex_lock(&p->mu);
			p->failed = true;
			snprintf(p->errmsg, sizeof p->errmsg, "zstd: %s", ZSTD_getErrorName(r));
			pthread_mutex_unlock(&p->mu);
			return;
		}
		out_bytes(p, p->zbuf, ob.pos);
		if (p->failed || (fin ? r == 0 : in.pos == in.size))
			return;
	}
}

static void write_job(struct pcomp *p, struct job *j)
{
	switch (p->comp) {
	case LAYER_GZIP:
		if (!p->header_done) {
			static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
			out_bytes(p, hdr, sizeof hdr);
			p->header_done = true;
		}
		out_bytes(p, j->out, j->outlen);
		p->crc = crc32_combine(p->crc, j->crc, (z_off_t)j->inlen);
		if (j->last) {
			unsigned char tr[8];
			put_le32(tr, (uint32_t)p->crc);
			put_le32(tr + 4, (uint32_t)p->usize);
			out_bytes(p, tr, sizeof tr);
		}
		break;
	case LAYER_ZSTD:
		zstd_feed(p, j->in, j->inlen, j->last);
		break;
	case LAYER_NONE:
		out_bytes(p, j->in, j->inlen);
		break;
	}
}

static void *writer_main(void *arg)
{
	struct pcomp *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job *j = &p->jobs[p->write_seq % QN];
		while (!p->abort && !(p->write_seq < p->prod_seq && j->state == J_DONE))
			pthread_cond_wait(&p->c_done, &p->mu);
		if (p->abort)
			break;
		pthread_mutex_unlock(&p->mu);
		write_job(p, j);
		bool last = j->last;
		if (last && !p->failed)
			write_stage(p, true);
		pthread_mutex_lock(&p->mu);
		j->state = J_FREE;
		p->write_seq++;
		pthread_cond_broadcast(&p->c_free);
		if (last)
			break;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the caller's side ---- */
struct pcomp *pcomp_new(int fd, enum layer_compression comp, int threads)
{
	struct pcomp *p = xcalloc(1, sizeof *p);
	p->fd = fd;
	p->comp = comp;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->c_work, NULL);
	pthread_cond_init(&p->c_done, NULL);
	pthread_cond_init(&p->c_free, NULL);
	p->dg_u = digester_new();
	if (comp != LAYER_NONE)
		p->dg_c = digester_new();
	p->crc = crc32(0L, Z_NULL, 0);
	for (int i = 0; i < QN; i++) {
		p->jobs[i].in = xmalloc(CHUNK);
		if (comp == LAYER_GZIP) {
			p->jobs[i].dict = xmalloc(DICT);
			p->jobs[i].outcap = CHUNK + CHUNK / 16 + 4096;
			p->jobs[i].out = xmalloc(p->jobs[i].outcap);
		}
	}
	if (comp == LAYER_ZSTD) {
		p->zc = ZSTD_createCCtx();
		ZSTD_CCtx_setParameter(p->zc, ZSTD_c_compressionLevel, 3);
		/* the output is the same for any worker count >= 1 */
		ZSTD_CCtx_setParameter(p->zc, ZSTD_c_nbWorkers, 2);
		p->zbuf_cap = ZSTD_CStreamOutSize();
		p->zbuf = xmalloc(p->zbuf_cap);
	}
	if (comp == LAYER_GZIP) {
		if (threads <= 0) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);
			threads = n > 0 ? (int)n : 1;
		}
		if (threads > 4)
			threads = 4;
		for (int i = 0; i < threads; i++)
			if (pthread_create(&p->workers[p->nworkers], NULL, worker_main, p) == 0)
				p->nworkers++;
	}
	void *mem = NULL;
	if (posix_memalign(&mem, 4096, STAGE) != 0)
		abort();
	p->stage = mem;
	p->writer_up = pthread_create(&p->writer, NULL, writer_main, p) == 0;
	return p;
}

static int fail_of(struct pcomp *p, berr *err)
{
	return berr_set(err, p->errnum, "layer: %s", p->errmsg);
}

/* Hand the chunk being filled to the workers (or straight to the writer), then wait for the
 * next slot to be free and prime it with this chunk's tail as its dictionary. */
static int submit(struct pcomp *p, bool last, berr *err)
{
	struct job *j = &p->jobs[p->prod_seq % QN];
	if (j->inlen)
		digester_update(p->dg_u, j->in, j->inlen);
	p->usize += j->inlen;
	if (!p->writer_up || (p->comp == LAYER_GZIP && !p->nworkers))
		return berr_set(err, EAGAIN, "layer: cannot start compression threads");
	pthread_mutex_lock(&p->mu);
	j->last = last;
	j->state = p->comp == LAYER_GZIP ? J_QUEUED : J_DONE;
	p->prod_seq++;
	pthread_cond_broadcast(p->comp == LAYER_GZIP ? &p->c_work : &p->c_done);
	struct job *nx = &p->jobs[p->prod_seq % QN];
	while (!last && nx->state != J_FREE && !p->failed)
		pthread_cond_wait(&p->c_free, &p->mu);
	bool failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	if (failed)
		return fail_of(p, err);
	if (!last) {
		nx->inlen = 0;
		nx->dictlen = 0;
		if (p->comp == LAYER_GZIP) {
			nx->dictlen = j->inlen < DICT ? j->inlen : DICT;
			memcpy(nx->dict, j->in + j->inlen - nx->dictlen, nx->dictlen);
		}
	}
	return 0;
}

int pcomp_write(struct pcomp *p, const void *data, size_t len, berr *err)
{
	const unsigned char *d = data;
	while (len) {
		struct job *j = &p->jobs[p->prod_seq % QN];
		size_t take = CHUNK - j->inlen < len ? CHUNK - j->inlen : len;
		memcpy(j->in + j->inlen, d, take);
		j->inlen += take;
		d += take;
		len -= take;
		if (j->inlen == CHUNK && submit(p, false, err) < 0)
			return -1;
	}
	return 0;
}

static void join_all(struct pcomp *p)
{
	if (p->writer_up)
		pthread_join(p->writer, NULL);
	p->writer_up = false;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->c_work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i], NULL);
	p->nworkers = 0;
}

int pcomp_finish(struct pcomp *p, char diff_id[DIGEST_STR_LEN + 1], char digest[DIGEST_STR_LEN + 1],
		 uint64_t *csize, uint64_t *usize, berr *err)
{
	if (submit(p, true, err) < 0)
		return -1;
	join_all(p);
	p->finished = true;
	if (p->failed)
		return fail_of(p, err);
	digester_finish(p->dg_u, diff_id);
	p->dg_u = NULL;
	if (p->dg_c) {
		digester_finish(p->dg_c, digest);
		p->dg_c = NULL;
	} else
		memcpy(digest, diff_id, DIGEST_STR_LEN + 1);
	if (csize)
		*csize = p->csize;
	if (usize)
		*usize = p->usize;
	return 0;
}

void pcomp_free(struct pcomp *p)
{
	if (!p)
		return;
	if (!p->finished) {
		pthread_mutex_lock(&p->mu);
		p->abort = true;
		pthread_cond_broadcast(&p->c_work);
		pthread_cond_broadcast(&p->c_done);
		pthread_cond_broadcast(&p->c_free);
		pthread_mutex_unlock(&p->mu);
		join_all(p);
	}
	for (int i = 0; i < QN; i++) {
		free(p->jobs[i].in);
		free(p->jobs[i].dict);
		free(p->jobs[i].out);
	}
	if (p->dg_u)
		digester_free(p->dg_u);
	if (p->dg_c)
		digester_free(p->dg_c);
	if (p->zc)
		ZSTD_freeCCtx(p->zc);
	free(p->zbuf);
	free(p->stage);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->c_work);
	pthread_cond_destroy(&p->c_done);
	pthread_cond_destroy(&p->c_free);
	free(p);
}
