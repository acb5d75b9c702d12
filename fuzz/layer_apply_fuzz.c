/* layer_apply_fuzz: feed arbitrary bytes to layer_apply (both modes) in a scratch dir and check
 * that nothing appears next to it (the sandbox must hold only "layer"). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include "image/layer.h"
#include "util/fs.h"
#include "util/strbuf.h"

static int count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sandbox[] = "/tmp/berth-fuzz-XXXXXX";
	if (!mkdtemp(sandbox))
		abort();
	char *layer = xasprintf("%s/layer", sandbox);
	mkdir(layer, 0755);
	for (int mode = 0; mode < 2; mode++) {
		int in = memfd_create("in", MFD_CLOEXEC);
		if (write_all(in, data, size) < 0)
			abort();
		lseek(in, 0, SEEK_SET);
		int dfd = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct layer_apply_opts o = { .mode = (enum layer_apply_mode)mode };
		struct layer_apply_stats st;
		berr e = { 0 };
		layer_apply(in, dfd, &o, &st, &e);
		close(dfd);
		close(in);
		if (count(sandbox) != 1)
			abort(); /* something was written outside the layer dir */
	}
	berr e = { 0 };
	rm_rf(sandbox, &e);
	free(layer);
	return 0;
}
