/* repodigest.c: writer for the image_digests table (see repodigest.h). */
#include "image/repodigest.h"
#include "util/cleanup.h"

int img_set_repo_digest(struct store *st, const char *name_at_digest, const char *id, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "INSERT OR REPLACE INTO image_digests(name, image_id) VALUES(?,?)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name_at_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "record repo digest");
	return 0;
}
