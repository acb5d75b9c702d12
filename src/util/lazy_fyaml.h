/* lazy_fyaml.h: libfyaml, loaded on first use (util/lazylib.h, docs/startup.md). Include this
 * instead of <libfyaml.h>. */
#pragma once
#include <libfyaml.h>
#include "util/lazylib.h"

/* Every libfyaml function berth calls; a new one goes here and in the #defines below. */
#define LAZY_FYAML_FUNCS(X) \
	X(fy_diag_cfg_default) X(fy_diag_create) X(fy_diag_errors_iterate) X(fy_diag_set_collect_errors) \
	X(fy_diag_unref) X(fy_document_create) X(fy_document_destroy) X(fy_document_root) \
	X(fy_document_set_root) X(fy_emit_document_to_string) X(fy_node_build_from_malloc_string) \
	X(fy_node_create_mapping) X(fy_node_create_scalar_copy) X(fy_node_create_sequence) \
	X(fy_node_get_scalar) X(fy_node_get_scalar_token) X(fy_node_get_style) X(fy_node_get_tag) \
	X(fy_node_get_type) X(fy_node_mapping_append) X(fy_node_mapping_iterate) X(fy_node_pair_key) \
	X(fy_node_pair_value) X(fy_node_resolve_alias) X(fy_node_sequence_append) X(fy_node_sequence_iterate) \
	X(fy_parse_document_destroy) X(fy_parse_load_document) X(fy_parser_create) X(fy_parser_destroy) \
	X(fy_parser_set_string) X(fy_token_end_mark) X(fy_token_start_mark) \

LAZYLIB_DECLARE(fyaml, LAZY_FYAML_FUNCS)

#define fy_diag_cfg_default LAZYLIB_FN(fyaml, fy_diag_cfg_default)
#define fy_diag_create LAZYLIB_FN(fyaml, fy_diag_create)
#define fy_diag_errors_iterate LAZYLIB_FN(fyaml, fy_diag_errors_iterate)
#define fy_diag_set_collect_errors LAZYLIB_FN(fyaml, fy_diag_set_collect_errors)
#define fy_diag_unref LAZYLIB_FN(fyaml, fy_diag_unref)
#define fy_document_create LAZYLIB_FN(fyaml, fy_document_create)
#define fy_document_destroy LAZYLIB_FN(fyaml, fy_document_destroy)
#define fy_document_root LAZYLIB_FN(fyaml, fy_document_root)
#define fy_document_set_root LAZYLIB_FN(fyaml, fy_document_set_root)
#define fy_emit_document_to_string LAZYLIB_FN(fyaml, fy_emit_document_to_string)
#define fy_node_build_from_malloc_string LAZYLIB_FN(fyaml, fy_node_build_from_malloc_string)
#define fy_node_create_mapping LAZYLIB_FN(fyaml, fy_node_create_mapping)
#define fy_node_create_scalar_copy LAZYLIB_FN(fyaml, fy_node_create_scalar_copy)
#define fy_node_create_sequence LAZYLIB_FN(fyaml, fy_node_create_sequence)
#define fy_node_get_scalar LAZYLIB_FN(fyaml, fy_node_get_scalar)
#define fy_node_get_scalar_token LAZYLIB_FN(fyaml, fy_node_get_scalar_token)
#define fy_node_get_style LAZYLIB_FN(fyaml, fy_node_get_style)
#define fy_node_get_tag LAZYLIB_FN(fyaml, fy_node_get_tag)
#define fy_node_get_type LAZYLIB_FN(fyaml, fy_node_get_type)
#define fy_node_mapping_append LAZYLIB_FN(fyaml, fy_node_mapping_append)
#define fy_node_mapping_iterate LAZYLIB_FN(fyaml, fy_node_mapping_iterate)
#define fy_node_pair_key LAZYLIB_FN(fyaml, fy_node_pair_key)
#define fy_node_pair_value LAZYLIB_FN(fyaml, fy_node_pair_value)
#define fy_node_resolve_alias LAZYLIB_FN(fyaml, fy_node_resolve_alias)
#define fy_node_sequence_append LAZYLIB_FN(fyaml, fy_node_sequence_append)
#define fy_node_sequence_iterate LAZYLIB_FN(fyaml, fy_node_sequence_iterate)
#define fy_parse_document_destroy LAZYLIB_FN(fyaml, fy_parse_document_destroy)
#define fy_parse_load_document LAZYLIB_FN(fyaml, fy_parse_load_document)
#define fy_parser_create LAZYLIB_FN(fyaml, fy_parser_create)
#define fy_parser_destroy LAZYLIB_FN(fyaml, fy_parser_destroy)
#define fy_parser_set_string LAZYLIB_FN(fyaml, fy_parser_set_string)
#define fy_token_end_mark LAZYLIB_FN(fyaml, fy_token_end_mark)
#define fy_token_start_mark LAZYLIB_FN(fyaml, fy_token_start_mark)

/* libfyaml.h's static inline helpers call fy_node_get_type/_style directly (bound to the real
 * symbols before the #defines above): these replace them with calls through the table. */
#define fy_node_is_scalar(n) (fy_node_get_type(n) == FYNT_SCALAR)
#define fy_node_is_sequence(n) (fy_node_get_type(n) == FYNT_SEQUENCE)
#define fy_node_is_mapping(n) (fy_node_get_type(n) == FYNT_MAPPING)
#define fy_node_is_alias(n) (fy_node_get_type(n) == FYNT_SCALAR && fy_node_get_style(n) == FYNS_ALIAS)
