/* pcomp.h: a layer stream's compressor and hashes, in threads (see docs/layers.md).
 * Bytes written with pcomp_write are hashed (diff ID), compressed and hashed again (digest)
 * and written to an fd. gzip: the stream is cut into fixed 1 MiB chunks deflated in parallel
 * by worker threads (raw deflate, each chunk primed with the previous chunk's last 32 KiB and
 * ended by a sync flush, as pigz does) and joined into ONE gzip member whose CRC-32 is
 * combined from the chunks'; 64 KiB pieces whose bytes look incompressible (byte entropy
 * close to 8 bits) are stored, not deflated. The output depends only on the input: not on the
 * number of threads or on how the writes were split. zstd: libzstd with 2 workers (the output
 * does not depend on the worker count). Hashing of the uncompressed stream runs in the
 * caller's thread, compressing in the workers, hashing and writing of the output in a writer
 * thread. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "image/layer.h"
#include "util/digest.h"
#include "util/err.h"

struct pcomp;

/* threads: gzip worker threads (0: the number of CPUs, at most 4). fd < 0: nothing is written,
 * only the digests and sizes are computed. */
struct pcomp *pcomp_new(int fd, enum layer_compression comp, int threads);
/* Feed bytes; -1 with the reason in err when writing failed (then only pcomp_free). */
int pcomp_write(struct pcomp *p, const void *data, size_t len, berr *err);
/* Flush everything, join the threads; the digests of the uncompressed and written streams. */
int pcomp_finish(struct pcomp *p, char diff_id[DIGEST_STR_LEN + 1], char digest[DIGEST_STR_LEN + 1],
		 uint64_t *csize, uint64_t *usize, berr *err);
void pcomp_free(struct pcomp *p);
