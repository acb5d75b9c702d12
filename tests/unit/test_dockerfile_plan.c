/* test_dockerfile_plan: the instruction layer, the planner and the linter under ASan/UBSan:
 * every corpus Dockerfile planned and checked (no leak, no crash), durations as Go prints
 * them, --mount parsing, history strings, scoping, targets, and check results. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/check.h"
#include "dockerfile/instr.h"
#include "dockerfile/plan.h"
#include "util/fs.h"

static int empty_base(void *ctx, const char *ref, const char *platform, json_t **config, berr *err)
{
	(void)ctx;
	(void)platform;
	if (!strcmp(ref, "nosuchstage"))
		return berr_set(err, 0, "no such image");
	*config = json_object();
	return 0;
}

static bool all_configs; /* plan_opts.all_configs for plan_of */

static struct plan *plan_of(const char *src, const char *target, const char *const *bargs, char **errout)
{
	struct df_file *f = NULL;
	berr err = { 0 };
	if (df_file_load(src, strlen(src), "Dockerfile", &f, &err)) {
		*errout = strdup(err.msg);
		return NULL;
	}
	struct plan_opts o = { .target = target, .build_args = bargs, .base = empty_base,
			       .all_configs = all_configs };
	struct plan *p = NULL;
	if (plan_build(f, &o, &p, &err)) {
		*errout = strdup(err.msg);
		df_file_free(f);
		return NULL;
	}
	return p;
}

static void plan_done(struct plan *p)
{
	const struct df_file *f = p->file;
	plan_free(p);
	df_file_free((struct df_file *)f);
}

static const char *hist(struct plan *p, size_t i)
{
	struct plan_stage *t = &p->stages[p->target];
	return i < t->nhist ? t->hist[i].created_by : "(none)";
}

static void test_corpus(void **state)
{
	(void)state;
	DIR *d = opendir("tests/corpus/cases");
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = NULL;
		assert_true(asprintf(&path, "tests/corpus/cases/%s/Dockerfile", e->d_name) > 0);
		char *data = NULL;
		size_t len = 0;
		berr err = { 0 };
		if (read_file(path, &data, &len, &err)) {
			free(path);
			continue;
		}
		n++;
		struct df_file *f = NULL;
		if (!df_file_load(data, len, "Dockerfile", &f, &err)) {
			struct plan_opts o = { .base = empty_base };
			struct plan *p = NULL;
			if (!plan_build(f, &o, &p, &err)) {
				json_t *j = plan_to_json(p);
				char *s = json_dumps(j, 0);
				assert_non_null(s);
				free(s);
				json_decref(j);
				plan_free(p);
			}
			df_file_free(f);
		}
		struct df_check_result r;
		assert_int_equal(df_check(data, len, "Dockerfile", NULL, &r, &err), 0);
		FILE *null = fopen("/dev/null", "w");
		df_check_print(null, &r, "Dockerfile", data, len);
		fclose(null);
		df_check_result_release(&r);
		free(data);
		free(path);
	}
	closedir(d);
	assert_true(n >= 58);
}

static void test_durations(void **state)
{
	(void)state;
	struct { const char *in, *out; } v[] = {
		{ "5s", "5s" }, { "1m30s", "1m30s" }, { "90s", "1m30s" }, { "1.5h", "1h30m0s" },
		{ "500ms", "500ms" }, { "1500ms", "1.5s" }, { "2us", "2\xc2\xb5s" }, { "3ns", "3ns" },
		{ "0", "0s" }, { "1h0m1s", "1h0m1s" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t ns;
		assert_int_equal(df_parse_duration(v[i].in, &ns), 0);
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		df_format_duration(&sb, ns);
		assert_string_equal(sb.buf, v[i].out);
		sb_release(&sb);
	}
	int64_t ns;
	assert_int_equal(df_parse_duration("5", &ns), -1);
	assert_int_equal(df_parse_duration("s", &ns), -1);
	assert_int_equal(df_parse_duration("1x", &ns), -1);
}

static void test_mounts(void **state)
{
	(void)state;
	struct df_mount m;
	char *msg = NULL;
	assert_int_equal(df_mount_parse("type=cache,target=/c,id=x,sharing=locked,mode=0755,uid=1", &m, &msg), 0);
	assert_int_equal(m.type, DF_MOUNT_CACHE);
	assert_string_equal(m.target, "/c");
	assert_int_equal(m.sharing, DF_SHARING_LOCKED);
	assert_int_equal(m.mode, 0755);
	assert_int_equal(m.uid, 1);
	df_mount_release(&m);
	assert_int_equal(df_mount_parse("target=/src", &m, &msg), 0);
	assert_int_equal(m.type, DF_MOUNT_BIND);
	assert_true(m.readonly);
	df_mount_release(&m);
	assert_int_equal(df_mount_parse("type=bind,target=/src,rw", &m, &msg), 0);
	assert_false(m.readonly);
	df_mount_release(&m);
	assert_int_equal(df_mount_parse("type=secret,id=tok", &m, &msg), 0);
	assert_string_equal(m.target, "/run/secrets/tok");
	df_mount_release(&m);
	assert_int_equal(df_mount_parse("type=secret,target=/x/key", &m, &msg), 0);
	assert_string_equal(m.id, "key");
	df_mount_release(&m);
	assert_int_equal(df_mount_parse("type=tmpfs,target=/t,size=64m", &m, &msg), 0);
	assert_int_equal(m.size, 64LL << 20);
	df_mount_release(&m);
	const char *bad[][2] = {
		{ "type=nfs,target=/x", "unsupported mount type \"nfs\"" },
		{ "type=cache", "mount target is required (target=PATH)" },
		{ "type=bind,target=/x,sharing=shared", "invalid cache sharing set for bind mount" },
		{ "type=bind,target=/x,mode=0644", "mode not allowed for bind type mounts" },
		{ "type=cache,target=/x,foo=bar", "unexpected key 'foo' in 'foo=bar'" },
		{ "type=cache,target=/x,required", "unexpected key 'required' for mount type 'cache'" },
		{ "type=secret,id=a,from=b", "secret mount should not have a from" },
		{ "type=cache,target=/x,mode=9", "failed to parse mode: strconv.ParseUint: parsing \"9\": invalid syntax" },
		{ "type=cache,target", "invalid field 'target' must be a key=value pair" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		assert_int_equal(df_mount_parse(bad[i][0], &m, &msg), -1);
		assert_string_equal(msg, bad[i][1]);
		free(msg);
	}
}

static void test_history_strings(void **state)
{
	(void)state;
	char *e = NULL;
	struct plan *p = plan_of("FROM busybox\n"
				 "ARG A=1\n"
				 "ENV B=\"two words\" C=$A\n"
				 "RUN [\"echo\", \"x\"]\n"
				 "RUN echo $A\n"
				 "COPY --chown=1 a b /d/\n"
				 "LABEL k=v \"x y\"=z\n"
				 "VOLUME [\"/a\", \"/b\"]\n"
				 "EXPOSE 90 80/udp\n"
				 "HEALTHCHECK --retries=0 CMD [\"true\"]\n"
				 "SHELL [\"/bin/bash\", \"-c\"]\n"
				 "CMD echo \"q\"\n"
				 "WORKDIR rel/../x\n"
				 "USER u\n",
				 NULL, NULL, &e);
	assert_non_null(p);
	assert_string_equal(hist(p, 0), "ARG A=1");
	assert_string_equal(hist(p, 1), "ENV B=two words C=1");
	assert_string_equal(hist(p, 2), "RUN |1 A=1 echo x # buildkit");
	assert_string_equal(hist(p, 3), "RUN |1 A=1 /bin/sh -c echo $A # buildkit");
	assert_string_equal(hist(p, 4), "COPY a b /d/ # buildkit");
	assert_string_equal(hist(p, 5), "LABEL k=v x y=z");
	assert_string_equal(hist(p, 6), "VOLUME [/a /b]");
	assert_string_equal(hist(p, 7), "EXPOSE map[80/udp:{} 90/tcp:{}]");
	assert_string_equal(hist(p, 8), "HEALTHCHECK &{[\"CMD\" \"true\"] \"0s\" \"0s\" \"0s\" '\\x00'}");
	assert_string_equal(hist(p, 9), "SHELL [/bin/bash -c]");
	assert_string_equal(hist(p, 10), "CMD [\"/bin/bash\" \"-c\" \"echo \\\"q\\\"\"]");
	assert_string_equal(hist(p, 11), "WORKDIR /x");
	assert_string_equal(hist(p, 12), "USER u");
	struct plan_stage *t = &p->stages[p->target];
	assert_false(t->hist[11].empty_layer);
	assert_true(t->hist[12].empty_layer);
	/* the RUN step sees A; the cache key args list it */
	assert_string_equal(t->steps[3].build_args[0], "A=1");
	plan_done(p);
}

static void test_scoping(void **state)
{
	(void)state;
	char *e = NULL;
	const char *bargs[] = { "G=cli", "UNUSED=1", NULL };
	struct plan *p = plan_of("ARG G=g\nARG IMG=busybox\nFROM $IMG AS a\nARG G\nENV X=$G\n"
				 "FROM a AS b\nENV Y=[$G]\n",
				 "b", bargs, &e);
	assert_non_null(p);
	json_t *env = json_object_get(p->stages[1].config, "Env");
	assert_int_equal(json_array_size(env), 3);
	assert_string_equal(json_string_value(json_array_get(env, 1)), "X=cli");
	/* 20.10: the ARG value of stage a is in the LLB state the child builds on */
	assert_string_equal(json_string_value(json_array_get(env, 2)), "Y=[cli]");
	assert_int_equal(p->unused_build_args.n, 1);
	assert_string_equal(p->unused_build_args.v[0], "UNUSED");
	plan_done(p);

	assert_null(plan_of("FROM busybox AS a\nFROM busybox AS A\n", NULL, NULL, &e));
	assert_non_null(strstr(e, "duplicate stage name \"A\""));
	free(e);
	assert_null(plan_of("FROM busybox\nCOPY --from=nosuchstage /a /b\n", NULL, NULL, &e));
	assert_non_null(strstr(e, "no stage named \"nosuchstage\""));
	free(e);
	assert_null(plan_of("FROM busybox\nCOPY --from=5 /a /b\n", NULL, NULL, &e));
	assert_non_null(strstr(e, "invalid stage index 5"));
	free(e);
	assert_null(plan_of("FROM busybox\nENV X=${Y:?need Y}\n", NULL, NULL, &e));
	assert_non_null(strstr(e, "Dockerfile:2: "));
	free(e);
}

static void test_onbuild_triggers(void **state)
{
	(void)state;
	char *e = NULL;
	struct plan *p = plan_of("FROM busybox AS p\nONBUILD ENV T=1\nONBUILD RUN echo $T\n"
				 "FROM p\nRUN true\n",
				 NULL, NULL, &e);
	assert_non_null(p);
	struct plan_stage *t = &p->stages[1];
	assert_int_equal(t->nsteps, 3);
	assert_true(t->steps[0].trigger);
	assert_string_equal(hist(p, 0), "ENV T=1");
	assert_string_equal(hist(p, 1), "RUN /bin/sh -c echo $T # buildkit");
	assert_true(json_is_null(json_object_get(t->config, "OnBuild")));
	/* stage p was handed on to the target built on it */
	assert_true(p->stages[0].handed_on);
	assert_null(p->stages[0].config);
	plan_done(p);
	all_configs = true;
	p = plan_of("FROM busybox AS p\nONBUILD ENV T=1\nONBUILD RUN echo $T\n"
		    "FROM p\nRUN true\n",
		    NULL, NULL, &e);
	all_configs = false;
	assert_non_null(p);
	assert_false(p->stages[0].handed_on);
	json_t *ob = json_object_get(p->stages[0].config, "OnBuild");
	assert_int_equal(json_array_size(ob), 2);
	assert_true(json_is_null(json_object_get(p->stages[1].config, "OnBuild")));
	plan_done(p);
}

static const char *label(struct plan *p, int stage, const char *key)
{
	json_t *c = plan_stage_config(p, stage);
	return c ? json_string_value(json_object_get(json_object_get(c, "Labels"), key)) : "(no config)";
}

/* plan_fuzz found (under ASan, thanks to the arena's red zones): an ARG declared twice in a
 * stage makes the build-args snapshot compare every arg with the keys changed since, and a
 * key longer than a changed "K=V" string was compared past its end. */
static void test_fuzz_arg_redeclared(void **state)
{
	(void)state;
	char *e = NULL;
	const char *bargs[] = { "A=1", "TARGETARCH=x", NULL };
	struct plan *p = plan_of("FROM busybox\nARG TARGETPLATFORM\nARG TARGETOS\nARG TARGETOS\n"
				 "ARG TARGETARCH\nENV A=2\nARG A\nRUN echo \"$TARGETPLATFORM $TARGETOS\"\n",
				 NULL, bargs, &e);
	assert_non_null(p);
	const struct plan_step *run = &p->stages[0].steps[p->stages[0].nsteps - 1];
	assert_int_equal(run->nbuild_args, 5);
	assert_string_equal(run->build_args[3], "TARGETARCH=x");
	assert_string_equal(run->build_args[4], "A=1"); /* ARG after ENV: the build arg */
	plan_done(p);
}

/* A stage's config, history and environment are handed on to the last stage planned FROM
 * it (not copied); the ones planned before copy them. */
static void test_hand_on(void **state)
{
	(void)state;
	char *e = NULL;
	const char *src = "FROM busybox AS a\nENV A=1\nLABEL x=1\n"
			  "FROM a AS b\nLABEL y=2\n"
			  "FROM b AS c\nENV C=3\nLABEL z=3\n"
			  "FROM a AS d\nLABEL w=4\n"
			  "FROM c\nCOPY --from=d / /\nRUN true\n";
	for (int all = 0; all < 2; all++) {
		all_configs = all;
		struct plan *p = plan_of(src, NULL, NULL, &e);
		all_configs = false;
		assert_non_null(p);
		assert_int_equal(p->target, 4);
		/* a: b (planned first, for c) copies it, d (for COPY --from) takes it over */
		assert_int_equal(p->stages[0].handed_on, !all);
		if (all) {
			assert_string_equal(label(p, 0, "x"), "1");
			assert_null(label(p, 0, "y"));
			assert_null(label(p, 0, "w"));
		}
		/* b and c: handed on unless all_configs */
		assert_int_equal(p->stages[1].handed_on, !all);
		assert_int_equal(p->stages[2].handed_on, !all);
		if (all) {
			assert_string_equal(label(p, 1, "y"), "2");
			assert_null(label(p, 1, "z"));
			assert_string_equal(label(p, 2, "z"), "3");
			assert_int_equal(p->stages[2].nhist, 5);
		} else {
			assert_null(plan_stage_config(p, 1));
			assert_null(plan_stage_config(p, 2));
			assert_int_equal(p->stages[2].nhist, 0);
		}
		/* d: nothing built on it */
		assert_string_equal(label(p, 3, "w"), "4");
		assert_string_equal(label(p, 3, "x"), "1");
		assert_null(label(p, 3, "y"));
		/* the target has everything of a, b and c and nothing of d */
		json_t *c = plan_stage_config(p, 4);
		assert_string_equal(label(p, 4, "x"), "1");
		assert_string_equal(label(p, 4, "y"), "2");
		assert_string_equal(label(p, 4, "z"), "3");
		assert_null(label(p, 4, "w"));
		json_t *env = json_object_get(c, "Env");
		assert_int_equal(json_array_size(env), 3);
		assert_string_equal(json_string_value(json_array_get(env, 1)), "A=1");
		assert_string_equal(json_string_value(json_array_get(env, 2)), "C=3");
		assert_string_equal(hist(p, 0), "ENV A=1");
		assert_string_equal(hist(p, 4), "LABEL z=3");
		assert_string_equal(hist(p, 5), "COPY / / # buildkit");
		assert_string_equal(hist(p, 6), "RUN /bin/sh -c true # buildkit");
		plan_done(p);
	}
	/* the target copied s0's config (sharing its ExposedPorts and Labels) before s1 took
	 * s0's over: s1's additions must not show in the target */
	struct plan *p = plan_of("FROM busybox AS s0\nEXPOSE 49\nLABEL a=1\n"
				 "FROM s0 AS s1\nEXPOSE 40\nLABEL b=2\n"
				 "FROM s0 AS s3\nCOPY --from=s1 /x /y\n",
				 NULL, NULL, &e);
	assert_non_null(p);
	assert_true(p->stages[0].handed_on);
	json_t *ports = json_object_get(plan_stage_config(p, 2), "ExposedPorts");
	assert_int_equal(json_object_size(ports), 1);
	assert_non_null(json_object_get(ports, "49/tcp"));
	assert_null(label(p, 2, "b"));
	assert_string_equal(label(p, 2, "a"), "1");
	plan_done(p);
}

static int count_rule(const struct df_check_result *r, const char *rule)
{
	int n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += !strcmp(r->v[i].rule, rule);
	return n;
}

static void check_of(const char *src, struct df_check_result *r)
{
	berr err = { 0 };
	assert_int_equal(df_check(src, strlen(src), "Dockerfile", NULL, r, &err), 0);
}

static void test_check_rules(void **state)
{
	(void)state;
	struct df_check_result r;
	check_of("ARG TAG\nFROM --platform=linux/amd64 alpine:$TAG AS Build\n"
		 "from alpine as scratch\nMAINTAINER x\nENV API_TOKEN=x\nWORKDIR rel\n"
		 "EXPOSE 80/TCP 127.0.0.1:90:90\nCMD a\nCMD [\"b\"]\nENV K $UNDEF\nFROM $NOPE\n",
		 &r);
	assert_null(r.fatal);
	assert_int_equal(count_rule(&r, "StageNameCasing"), 1);
	assert_int_equal(count_rule(&r, "FromAsCasing"), 0);
	assert_int_equal(count_rule(&r, "ReservedStageName"), 1);
	assert_int_equal(count_rule(&r, "MaintainerDeprecated"), 1);
	assert_int_equal(count_rule(&r, "SecretsUsedInArgOrEnv"), 1);
	assert_int_equal(count_rule(&r, "WorkdirRelativePath"), 1);
	assert_int_equal(count_rule(&r, "ExposeProtoCasing"), 1);
	assert_int_equal(count_rule(&r, "ExposeInvalidFormat"), 1);
	assert_int_equal(count_rule(&r, "JSONArgsRecommended"), 1);
	assert_int_equal(count_rule(&r, "MultipleInstructionsDisallowed"), 1);
	assert_int_equal(count_rule(&r, "LegacyKeyValueFormat"), 1);
	assert_int_equal(count_rule(&r, "UndefinedVar"), 1);
	assert_int_equal(count_rule(&r, "UndefinedArgInFrom"), 1);
	assert_int_equal(count_rule(&r, "InvalidDefaultArgInFrom"), 2);
	assert_int_equal(count_rule(&r, "FromPlatformFlagConstDisallowed"), 1);
	assert_int_equal(count_rule(&r, "ConsistentInstructionCasing"), 1);
	/* sorted by line */
	for (size_t i = 1; i < r.n; i++)
		assert_true(r.v[i - 1].start_line <= r.v[i].start_line);
	df_check_result_release(&r);

	check_of("# check=skip=FromAsCasing,StageNameCasing;error=true\nFROM a as B\nMAINTAINER m\n", &r);
	assert_int_equal(r.n, 1);
	assert_true(r.error);
	df_check_result_release(&r);

	/* a child stage gets the parent's ARG values (BuildKit's state): no warning, a note */
	check_of("FROM a AS base\nARG V=1\nFROM base\nENV X=$V\nRUN echo $V\n", &r);
	assert_int_equal(count_rule(&r, "UndefinedVar"), 0);
	assert_int_equal(r.notes.n, 1);
	assert_non_null(strstr(r.notes.v[0], "an ARG of stage 'base'"));
	df_check_result_release(&r);
	/* an unrelated stage does not: UndefinedVar with berth's explanation */
	check_of("FROM a AS base\nARG V=1\nFROM a AS other\nENV X=$V\n", &r);
	assert_int_equal(count_rule(&r, "UndefinedVar"), 1);
	assert_non_null(r.v[0].explain);
	assert_non_null(strstr(r.v[0].explain, "ARG V is declared in stage 'base' (Dockerfile:2)"));
	df_check_result_release(&r);
	/* same line: sorted by message, as BuildKit */
	check_of("FROM a\nARG super_secret_token=foo auth=bar\n", &r);
	assert_int_equal(r.n, 2);
	assert_non_null(strstr(r.v[0].message, "\"auth\""));
	df_check_result_release(&r);

	check_of("FROM --platform=$TARGETPLATFORM a\nRUN x \\\n\ny\n", &r);
	assert_int_equal(count_rule(&r, "RedundantTargetPlatform"), 1);
	assert_int_equal(count_rule(&r, "NoEmptyContinuation"), 1);
	df_check_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_history_strings),
		cmocka_unit_test(test_scoping),
		cmocka_unit_test(test_onbuild_triggers),
		cmocka_unit_test(test_hand_on),
		cmocka_unit_test(test_fuzz_arg_redeclared),
		cmocka_unit_test(test_check_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
