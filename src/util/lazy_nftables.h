/* lazy_nftables.h: libnftables, loaded on first use (util/lazylib.h, docs/startup.md).
 * Include this instead of <nftables/libnftables.h>. */
#pragma once
#include <nftables/libnftables.h>
#include "util/lazylib.h"

/* Every libnftables function berth calls; a new one goes here and in the #defines below. */
#define LAZY_NFTABLES_FUNCS(X) \
	X(nft_ctx_buffer_error) X(nft_ctx_buffer_output) X(nft_ctx_free) X(nft_ctx_get_error_buffer) \
	X(nft_ctx_get_output_buffer) X(nft_ctx_new) X(nft_ctx_output_set_flags) X(nft_run_cmd_from_buffer) \

LAZYLIB_DECLARE(nftables, LAZY_NFTABLES_FUNCS)

#define nft_ctx_buffer_error LAZYLIB_FN(nftables, nft_ctx_buffer_error)
#define nft_ctx_buffer_output LAZYLIB_FN(nftables, nft_ctx_buffer_output)
#define nft_ctx_free LAZYLIB_FN(nftables, nft_ctx_free)
#define nft_ctx_get_error_buffer LAZYLIB_FN(nftables, nft_ctx_get_error_buffer)
#define nft_ctx_get_output_buffer LAZYLIB_FN(nftables, nft_ctx_get_output_buffer)
#define nft_ctx_new LAZYLIB_FN(nftables, nft_ctx_new)
#define nft_ctx_output_set_flags LAZYLIB_FN(nftables, nft_ctx_output_set_flags)
#define nft_run_cmd_from_buffer LAZYLIB_FN(nftables, nft_run_cmd_from_buffer)
