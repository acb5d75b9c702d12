/* changes.h: `--change` Dockerfile instructions applied to an image's .config object. */
#pragma once
#include <jansson.h>
#include "util/err.h"

/* Apply one instruction ("CMD [\"sh\"]", "ENV A=1", ...) to cfg (the config's "config"
 * object, Docker's container.Config keys). */
int image_apply_change(json_t *cfg, const char *line, berr *err);
