/* opts.c: Docker (cobra/pflag) compatible option parsing and usage messages. */
#include "cli/cli.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

int cli_usage_error(const char *cmdpath, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'berth %s --help'.\n", cmdpath);
	return 125;
}

int cli_error(berr *err)
{
	fprintf(stderr, "Error: %s\n", err->msg);
	return err->status ? err->status : 125;
}

static void print_help(const char *usage, const char *summary, const struct opt *opts)
{
	printf("\nUsage:  berth %s\n\n", usage);
	if (summary)
		printf("%s\n", summary);
	if (!opts || !opts[0].name)
		return;
	printf("\nOptions:\n");
	size_t w = 0;
	for (const struct opt *o = opts; o->kind != OPT_END; o++) {
		size_t n = strlen(o->name) + (o->kind == OPT_BOOL ? 0 : strlen(o->argname ? o->argname : "string") + 1);
		if (n > w)
			w = n;
	}
	for (const struct opt *o = opts; o->kind != OPT_END; o++) {
		char left[256];
		const char *an = o->kind == OPT_BOOL ? "" : (o->argname ? o->argname : (o->kind == OPT_LIST ? "list" : o->kind == OPT_INT ? "int" : "string"));
		snprintf(left, sizeof left, "%s%s%s", o->name, *an ? " " : "", an);
		if (o->shorthand)
			printf("  -%c, --%-*s   %s\n", o->shorthand, (int)w, left, o->help ? o->help : "");
		else
			printf("      --%-*s   %s\n", (int)w, left, o->help ? o->help : "");
	}
}

static int parse_bool(const char *s, bool *out)
{
	static const char *t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *f[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i])) { *out = true; return 0; }
		if (!strcmp(s, f[i])) { *out = false; return 0; }
	}
	return -1;
}

static int set_value(const char *cmdpath, const struct opt *o, const char *flagname, const char *val)
{
	switch (o->kind) {
	case OPT_BOOL: {
		bool b = true;
		if (val && parse_bool(val, &b) < 0)
			return cli_usage_error(cmdpath, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax", val, flagname, val);
		*(bool *)o->value = b;
		return 0;
	}
	case OPT_STR:
		*(const char **)o->value = val;
		return 0;
	case OPT_LIST:
		sv_push((struct strvec *)o->value, val);
		return 0;
	case OPT_INT: {
		char *end;
		errno = 0;
		long v = strtol(val, &end, 0);
		if (errno || !*val || *end)
			return cli_usage_error(cmdpath, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax", val, flagname, val);
		*(long *)o->value = v;
		return 0;
	}
	case OPT_END:
		break;
	}
	return 0;
}

int opts_parse(const char *cmdpath, const char *usage, const char *summary, const struct opt *opts,
	       bool interspersed, int argc, char **argv, struct strvec *args, int *status)
{
	static const struct opt none[] = { OPT_SENTINEL };
	if (!opts)
		opts = none;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				sv_push(args, argv[i]);
			break;
		}
		if (a[0] != '-' || a[1] == 0) {
			sv_push(args, a);
			if (!interspersed) {
				for (i++; i < argc; i++)
					sv_push(args, argv[i]);
				break;
			}
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			const struct opt *o = NULL;
			for (const struct opt *p = opts; p->kind != OPT_END; p++)
				if (strlen(p->name) == nlen && !strncmp(p->name, name, nlen))
					o = p;
			if (!o && nlen == 4 && !strncmp(name, "help", 4)) {
				print_help(usage, summary, opts);
				*status = 0;
				return OPTS_EXIT;
			}
			if (!o) {
				*status = cli_usage_error(cmdpath, "unknown flag: --%.*s", (int)nlen, name);
				return OPTS_EXIT;
			}
			char flagname[128];
			snprintf(flagname, sizeof flagname, "--%s", o->name);
			const char *val = eq ? eq + 1 : NULL;
			if (!val && o->kind != OPT_BOOL) {
				if (i + 1 >= argc) {
					*status = cli_usage_error(cmdpath, "flag needs an argument: --%s", o->name);
					return OPTS_EXIT;
				}
				val = argv[++i];
			}
			if ((*status = set_value(cmdpath, o, flagname, val)))
				return OPTS_EXIT;
			continue;
		}
		/* short flags, possibly combined: -it, -eFOO=bar, -e FOO */
		for (char *s = a + 1; *s; s++) {
			const struct opt *o = NULL;
			for (const struct opt *p = opts; p->kind != OPT_END; p++)
				if (p->shorthand && p->shorthand == *s)
					o = p;
			if (!o && *s == 'h') {
				print_help(usage, summary, opts);
				*status = 0;
				return OPTS_EXIT;
			}
			if (!o) {
				*status = cli_usage_error(cmdpath, "unknown shorthand flag: '%c' in %s", *s, a);
				return OPTS_EXIT;
			}
			char flagname[8];
			snprintf(flagname, sizeof flagname, "-%c", *s);
			if (o->kind == OPT_BOOL) {
				const char *val = NULL;
				if (s[1] == '=') {
					val = s + 2;
					if ((*status = set_value(cmdpath, o, flagname, val)))
						return OPTS_EXIT;
					break;
				}
				set_value(cmdpath, o, flagname, NULL);
				continue;
			}
			const char *val;
			if (s[1])
				val = s[1] == '=' ? s + 2 : s + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				*status = cli_usage_error(cmdpath, "flag needs an argument: '%c' in -%c", *s, *s);
				return OPTS_EXIT;
			}
			if ((*status = set_value(cmdpath, o, flagname, val)))
				return OPTS_EXIT;
			break;
		}
	}
	*status = 0;
	return OPTS_OK;
}

int cli_require_args(const char *cmdpath, const char *usage, const char *summary,
		     const struct strvec *args, int min, int max)
{
	const char *what = NULL;
	int n = min;
	if ((int)args->n < min)
		what = min == max ? "exactly" : "at least";
	else if (max >= 0 && (int)args->n > max) {
		what = min == max ? "exactly" : "at most";
		n = max;
	}
	if (!what)
		return 0;
	if (max == 0)
		fprintf(stderr, "\"berth %s\" accepts no arguments.\n", cmdpath);
	else
		fprintf(stderr, "\"berth %s\" requires %s %d argument%s.\n", cmdpath, what, n, n == 1 ? "" : "s");
	fprintf(stderr, "See 'berth %s --help'.\n\nUsage:  berth %s\n\n%s\n", cmdpath, usage, summary ? summary : "");
	return 1;
}
