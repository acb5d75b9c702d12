/* ref.c: Docker's image reference grammar (github.com/distribution/reference) and the
 * normalisation Docker applies to short names. Hand-written recognisers for each production:
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain '/'] remote-name
 *   domain     := host [ ":" port ]        host := domain-name | "[" IPv6 "]"
 *   remote-name:= path-component [ '/' path-component ]*
 *   path-component := alnum+ ( separator alnum+ )*   separator := [_.] | "__" | "-"+
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex{32,}               */
#include "image/ref.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/cleanup.h"
#include "util/strbuf.h"

#define NAME_TOTAL_MAX 255

static bool is_lalnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool is_alnum(char c) { return isalnum((unsigned char)c); }
static bool is_word(char c) { return is_alnum(c) || c == '_'; }

/* path-component over [s, s+n). */
static bool valid_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lalnum(s[0]) || !is_lalnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lalnum(s[i])) { i++; continue; }
		/* a separator, then at least one alnum */
		size_t j = i;
		if (s[j] == '.') j++;
		else if (s[j] == '_') { j++; if (j < n && s[j] == '_') j++; }
		else if (s[j] == '-') { while (j < n && s[j] == '-') j++; }
		else return false;
		if (j >= n || !is_lalnum(s[j]))
			return false;
		i = j;
	}
	return true;
}

/* domain-component: alnum | alnum [alnum-]* alnum */
static bool valid_domain_component(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool valid_domain(const char *s, size_t n)
{
	size_t hostlen = n;
	const char *colon = NULL;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':')
				return false;
		if (close == s + 1)
			return false;
		hostlen = (size_t)(close - s) + 1;
		if (hostlen < n) {
			if (s[hostlen] != ':')
				return false;
			colon = s + hostlen;
		}
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			hostlen = (size_t)(colon - s);
		size_t start = 0;
		for (size_t i = 0; i <= hostlen; i++) {
			if (i == hostlen || s[i] == '.') {
				if (!valid_domain_component(s + start, i - start))
					return false;
				start = i + 1;
			}
		}
	}
	if (colon) {
		const char *p = colon + 1, *end = s + n;
		if (p == end)
			return false;
		for (; p < end; p++)
			if (!isdigit((unsigned char)*p))
				return false;
	}
	return true;
}

static bool valid_tag(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !is_word(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* algorithm ":" hex{32,}; a sha256 digest must be exactly 64 lowercase hex. */
static int check_digest(const char *s, berr *err)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon == s)
		return berr_set(err, EINVAL, "invalid reference format");
	for (const char *p = s; p < colon; p++) {
		bool sep = *p == '-' || *p == '_' || *p == '+' || *p == '.';
		if (p == s && !isalpha((unsigned char)*p))
			return berr_set(err, EINVAL, "invalid reference format");
		if (sep && (p + 1 == colon || !isalpha((unsigned char)p[1])))
			return berr_set(err, EINVAL, "invalid reference format");
		if (!sep && !is_alnum(*p))
			return berr_set(err, EINVAL, "invalid reference format");
	}
	size_t hl = strlen(colon + 1);
	if (hl < 32)
		return berr_set(err, EINVAL, "invalid reference format");
	for (const char *p = colon + 1; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return berr_set(err, EINVAL, "invalid reference format");
	if ((size_t)(colon - s) == 6 && !strncmp(s, "sha256", 6) && hl != 64)
		return berr_set(err, EINVAL, "invalid checksum digest length");
	return 0;
}

bool ref_is_full_id(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return false;
	return true;
}

void ref_free(struct ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof *r);
}

int ref_parse(const char *s, struct ref *r, berr *err)
{
	memset(r, 0, sizeof *r);
	if (ref_is_full_id(s))
		return berr_set(err, EINVAL, "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);
	if (!*s)
		return berr_set(err, EINVAL, "invalid reference format");
	_cleanup_free_ char *str = xstrdup(s);
	/* split off @digest */
	char *at = strchr(str, '@');
	if (at) {
		*at = 0;
		if (check_digest(at + 1, err) < 0)
			return -1;
	}
	/* split off :tag (a colon after the last slash) */
	char *slash = strrchr(str, '/');
	char *colon = strrchr(slash ? slash : str, ':');
	if (colon) {
		*colon = 0;
		if (!valid_tag(colon + 1))
			return berr_set(err, EINVAL, "invalid reference format");
	}
	char *name = str;
	if (!*name)
		return berr_set(err, EINVAL, "invalid reference format");
	/* Docker's splitDockerDomain */
	const char *domain, *remainder;
	char *firstslash = strchr(name, '/');
	_cleanup_free_ char *dom = NULL;
	bool has_domain = false;
	if (firstslash) {
		size_t dl = (size_t)(firstslash - name);
		bool lower = true;
		for (size_t i = 0; i < dl; i++)
			if (isupper((unsigned char)name[i]))
				lower = false;
		if (memchr(name, '.', dl) || memchr(name, ':', dl) || (dl == 9 && !strncmp(name, "localhost", 9)) || !lower)
			has_domain = true;
	}
	if (has_domain) {
		dom = xstrndup(name, (size_t)(firstslash - name));
		if (!valid_domain(dom, strlen(dom)))
			return berr_set(err, EINVAL, "invalid reference format");
		if (!strcmp(dom, "index.docker.io")) {
			free(dom);
			dom = xstrdup("docker.io");
		}
		domain = dom;
		remainder = firstslash + 1;
	} else {
		domain = "docker.io";
		remainder = name;
	}
	for (const char *p = remainder; *p; p++)
		if (isupper((unsigned char)*p))
			return berr_set(err, EINVAL, "invalid reference format: repository name must be lowercase");
	/* validate remote-name */
	const char *p = remainder;
	if (!*p)
		return berr_set(err, EINVAL, "invalid reference format");
	for (;;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!valid_component(p, n))
			return berr_set(err, EINVAL, "invalid reference format");
		if (!e)
			break;
		p = e + 1;
	}
	bool lib = !strcmp(domain, "docker.io") && !strchr(remainder, '/');
	r->domain = xstrdup(domain);
	r->path = lib ? xasprintf("library/%s", remainder) : xstrdup(remainder);
	if (strlen(r->domain) + 1 + strlen(r->path) > NAME_TOTAL_MAX) {
		ref_free(r);
		return berr_set(err, EINVAL, "repository name must not be more than %d characters", NAME_TOTAL_MAX);
	}
	if (colon)
		r->tag = xstrdup(colon + 1);
	if (at)
		r->digest = xstrdup(at + 1);
	return 0;
}

int ref_parse_tagged(const char *s, struct ref *r, berr *err)
{
	if (ref_parse(s, r, err) < 0)
		return -1;
	if (!r->tag && !r->digest)
		r->tag = xstrdup("latest");
	return 0;
}

char *ref_name(const struct ref *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

static char *with_suffix(char *name, const struct ref *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, name);
	free(name);
	if (r->tag)
		sb_addf(&sb, ":%s", r->tag);
	if (r->digest)
		sb_addf(&sb, "@%s", r->digest);
	return sb_detach(&sb);
}

char *ref_string(const struct ref *r)
{
	return with_suffix(ref_name(r), r);
}

char *ref_familiar_name(const struct ref *r)
{
	if (!strcmp(r->domain, "docker.io")) {
		if (!strncmp(r->path, "library/", 8) && !strchr(r->path + 8, '/'))
			return xstrdup(r->path + 8);
		return xstrdup(r->path);
	}
	return ref_name(r);
}

char *ref_familiar_string(const struct ref *r)
{
	return with_suffix(ref_familiar_name(r), r);
}

char *ref_familiarize(const char *full)
{
	struct ref r;
	berr err;
	if (ref_parse(full, &r, &err) < 0)
		return xstrdup(full);
	char *s = ref_familiar_string(&r);
	ref_free(&r);
	return s;
}
