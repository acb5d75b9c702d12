/* lazy_archive.h: libarchive, loaded on first use (util/lazylib.h, docs/startup.md). Include
 * this instead of <archive.h> and <archive_entry.h>. */
#pragma once
#include <archive.h>
#include <archive_entry.h>
#include "util/lazylib.h"

/* Every libarchive function berth calls; a new one goes here and in the #defines below. */
#define LAZY_ARCHIVE_FUNCS(X) \
	X(archive_entry_atime) X(archive_entry_atime_is_set) X(archive_entry_atime_nsec) \
	X(archive_entry_filetype) X(archive_entry_free) X(archive_entry_gid) X(archive_entry_hardlink) \
	X(archive_entry_mtime) X(archive_entry_mtime_nsec) X(archive_entry_new) \
	X(archive_entry_pathname) X(archive_entry_perm) X(archive_entry_rdevmajor) \
	X(archive_entry_rdevminor) X(archive_entry_set_filetype) X(archive_entry_set_gid) \
	X(archive_entry_set_hardlink) X(archive_entry_set_mtime) X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) X(archive_entry_set_rdev) X(archive_entry_set_size) \
	X(archive_entry_set_symlink) X(archive_entry_set_uid) X(archive_entry_size) \
	X(archive_entry_size_is_set) X(archive_entry_sourcepath) X(archive_entry_symlink) \
	X(archive_entry_uid) X(archive_entry_xattr_add_entry) X(archive_entry_xattr_next) \
	X(archive_entry_xattr_reset) X(archive_errno) X(archive_error_string) X(archive_read_data) \
	X(archive_read_data_block) X(archive_read_data_skip) X(archive_read_disk_descend) \
	X(archive_read_disk_new) X(archive_read_disk_open) X(archive_read_disk_set_behavior) \
	X(archive_read_disk_set_standard_lookup) X(archive_read_disk_set_symlink_physical) \
	X(archive_read_free) X(archive_read_new) X(archive_read_next_header) X(archive_read_next_header2) \
	X(archive_read_open) X(archive_read_open_fd) X(archive_read_support_filter_all) \
	X(archive_read_support_filter_bzip2) X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_xz) X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_empty) X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) X(archive_set_error) X(archive_write_close) X(archive_write_data) \
	X(archive_write_free) X(archive_write_header) X(archive_write_new) X(archive_write_open) \
	X(archive_write_open_fd) X(archive_write_set_bytes_per_block) X(archive_write_set_format_option) \
	X(archive_write_set_format_pax_restricted) \
	X(archive_entry_copy_stat) X(archive_entry_copy_hardlink) X(archive_entry_copy_pathname) X(archive_entry_copy_symlink) X(archive_entry_set_gname) X(archive_entry_set_uname) X(archive_entry_unset_atime) X(archive_entry_unset_birthtime) X(archive_entry_unset_ctime) X(archive_read_disk_entry_from_file) X(archive_write_disk_new) X(archive_write_disk_set_options) X(archive_write_set_bytes_in_last_block) \

LAZYLIB_DECLARE(archive, LAZY_ARCHIVE_FUNCS)

#define archive_entry_atime LAZYLIB_FN(archive, archive_entry_atime)
#define archive_entry_atime_is_set LAZYLIB_FN(archive, archive_entry_atime_is_set)
#define archive_entry_atime_nsec LAZYLIB_FN(archive, archive_entry_atime_nsec)
#define archive_entry_filetype LAZYLIB_FN(archive, archive_entry_filetype)
#define archive_entry_free LAZYLIB_FN(archive, archive_entry_free)
#define archive_entry_gid LAZYLIB_FN(archive, archive_entry_gid)
#define archive_entry_hardlink LAZYLIB_FN(archive, archive_entry_hardlink)
#define archive_entry_mtime LAZYLIB_FN(archive, archive_entry_mtime)
#define archive_entry_mtime_nsec LAZYLIB_FN(archive, archive_entry_mtime_nsec)
#define archive_entry_new LAZYLIB_FN(archive, archive_entry_new)
#define archive_entry_pathname LAZYLIB_FN(archive, archive_entry_pathname)
#define archive_entry_perm LAZYLIB_FN(archive, archive_entry_perm)
#define archive_entry_rdevmajor LAZYLIB_FN(archive, archive_entry_rdevmajor)
#define archive_entry_rdevminor LAZYLIB_FN(archive, archive_entry_rdevminor)
#define archive_entry_set_filetype LAZYLIB_FN(archive, archive_entry_set_filetype)
#define archive_entry_set_gid LAZYLIB_FN(archive, archive_entry_set_gid)
#define archive_entry_set_hardlink LAZYLIB_FN(archive, archive_entry_set_hardlink)
#define archive_entry_set_mtime LAZYLIB_FN(archive, archive_entry_set_mtime)
#define archive_entry_set_pathname LAZYLIB_FN(archive, archive_entry_set_pathname)
#define archive_entry_set_perm LAZYLIB_FN(archive, archive_entry_set_perm)
#define archive_entry_set_rdev LAZYLIB_FN(archive, archive_entry_set_rdev)
#define archive_entry_set_size LAZYLIB_FN(archive, archive_entry_set_size)
#define archive_entry_set_symlink LAZYLIB_FN(archive, archive_entry_set_symlink)
#define archive_entry_set_uid LAZYLIB_FN(archive, archive_entry_set_uid)
#define archive_entry_size LAZYLIB_FN(archive, archive_entry_size)
#define archive_entry_size_is_set LAZYLIB_FN(archive, archive_entry_size_is_set)
#define archive_entry_sourcepath LAZYLIB_FN(archive, archive_entry_sourcepath)
#define archive_entry_symlink LAZYLIB_FN(archive, archive_entry_symlink)
#define archive_entry_uid LAZYLIB_FN(archive, archive_entry_uid)
#define archive_entry_xattr_add_entry LAZYLIB_FN(archive, archive_entry_xattr_add_entry)
#define archive_entry_xattr_next LAZYLIB_FN(archive, archive_entry_xattr_next)
#define archive_entry_xattr_reset LAZYLIB_FN(archive, archive_entry_xattr_reset)
#define archive_errno LAZYLIB_FN(archive, archive_errno)
#define archive_error_string LAZYLIB_FN(archive, archive_error_string)
#define archive_read_data LAZYLIB_FN(archive, archive_read_data)
#define archive_read_data_block LAZYLIB_FN(archive, archive_read_data_block)
#define archive_read_data_skip LAZYLIB_FN(archive, archive_read_data_skip)
#define archive_read_disk_descend LAZYLIB_FN(archive, archive_read_disk_descend)
#define archive_read_disk_new LAZYLIB_FN(archive, archive_read_disk_new)
#define archive_read_disk_open LAZYLIB_FN(archive, archive_read_disk_open)
#define archive_read_disk_set_behavior LAZYLIB_FN(archive, archive_read_disk_set_behavior)
#define archive_read_disk_set_standard_lookup LAZYLIB_FN(archive, archive_read_disk_set_standard_lookup)
#define archive_read_disk_set_symlink_physical LAZYLIB_FN(archive, archive_read_disk_set_symlink_physical)
#define archive_read_free LAZYLIB_FN(archive, archive_read_free)
#define archive_read_new LAZYLIB_FN(archive, archive_read_new)
#define archive_read_next_header LAZYLIB_FN(archive, archive_read_next_header)
#define archive_read_next_header2 LAZYLIB_FN(archive, archive_read_next_header2)
#define archive_read_open LAZYLIB_FN(archive, archive_read_open)
#define archive_read_open_fd LAZYLIB_FN(archive, archive_read_open_fd)
#define archive_read_support_filter_all LAZYLIB_FN(archive, archive_read_support_filter_all)
#define archive_read_support_filter_bzip2 LAZYLIB_FN(archive, archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip LAZYLIB_FN(archive, archive_read_support_filter_gzip)
#define archive_read_support_filter_xz LAZYLIB_FN(archive, archive_read_support_filter_xz)
#define archive_read_support_filter_zstd LAZYLIB_FN(archive, archive_read_support_filter_zstd)
#define archive_read_support_format_empty LAZYLIB_FN(archive, archive_read_support_format_empty)
#define archive_read_support_format_raw LAZYLIB_FN(archive, archive_read_support_format_raw)
#define archive_read_support_format_tar LAZYLIB_FN(archive, archive_read_support_format_tar)
#define archive_set_error LAZYLIB_FN(archive, archive_set_error)
#define archive_write_close LAZYLIB_FN(archive, archive_write_close)
#define archive_write_data LAZYLIB_FN(archive, archive_write_data)
#define archive_write_free LAZYLIB_FN(archive, archive_write_free)
#define archive_write_header LAZYLIB_FN(archive, archive_write_header)
#define archive_write_new LAZYLIB_FN(archive, archive_write_new)
#define archive_write_open LAZYLIB_FN(archive, archive_write_open)
#define archive_write_open_fd LAZYLIB_FN(archive, archive_write_open_fd)
#define archive_write_set_bytes_per_block LAZYLIB_FN(archive, archive_write_set_bytes_per_block)
#define archive_write_set_format_option LAZYLIB_FN(archive, archive_write_set_format_option)
#define archive_write_set_format_pax_restricted LAZYLIB_FN(archive, archive_write_set_format_pax_restricted)
#define archive_entry_copy_stat LAZYLIB_FN(archive, archive_entry_copy_stat)
#define archive_entry_copy_hardlink LAZYLIB_FN(archive, archive_entry_copy_hardlink)
#define archive_entry_copy_pathname LAZYLIB_FN(archive, archive_entry_copy_pathname)
#define archive_entry_copy_symlink LAZYLIB_FN(archive, archive_entry_copy_symlink)
#define archive_entry_set_gname LAZYLIB_FN(archive, archive_entry_set_gname)
#define archive_entry_set_uname LAZYLIB_FN(archive, archive_entry_set_uname)
#define archive_entry_unset_atime LAZYLIB_FN(archive, archive_entry_unset_atime)
#define archive_entry_unset_birthtime LAZYLIB_FN(archive, archive_entry_unset_birthtime)
#define archive_entry_unset_ctime LAZYLIB_FN(archive, archive_entry_unset_ctime)
#define archive_read_disk_entry_from_file LAZYLIB_FN(archive, archive_read_disk_entry_from_file)
#define archive_write_disk_new LAZYLIB_FN(archive, archive_write_disk_new)
#define archive_write_disk_set_options LAZYLIB_FN(archive, archive_write_disk_set_options)
#define archive_write_set_bytes_in_last_block LAZYLIB_FN(archive, archive_write_set_bytes_in_last_block)
