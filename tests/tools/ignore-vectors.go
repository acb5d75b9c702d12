// ignore-vectors.go: generates tests/unit/data/ignore-vectors.tsv, random .dockerignore
// patterns and paths judged by Go's own regexp and path/filepath packages (the libraries
// Docker's matcher is built on), so test_ignore can check berth's Go-regexp subset engine and
// its filepath.Match port against the real thing without Go installed.
// Run by hand: go run tests/tools/ignore-vectors.go > tests/unit/data/ignore-vectors.tsv
//
// Each pattern goes through the steps patternmatcher.New and Pattern.compile take (trim, clean,
// "!" prefix, filepath.Match syntax check, the regexp text with the exact/prefix/suffix fast
// paths), written here from their documented behaviour.
// Columns (hex-encoded strings): pattern, path, exact, or-parent, filepath.Match of the cleaned
// pattern against the path; results are 0, 1 or E (error).
package main

import (
	"encoding/hex"
	"fmt"
	"math/rand"
	"path/filepath"
	"regexp"
	"strings"
)

type pat struct {
	kind string // exact prefix suffix regexp
	text string
	re   *regexp.Regexp
	err  bool
}

func compile(p string) *pat {
	var b strings.Builder
	b.WriteString("^")
	kind := "exact"
	r := []rune(p)
	for i, k := 0, 0; i < len(r); k++ {
		c := r[i]
		i++
		switch {
		case c == '*':
			if i < len(r) && r[i] == '*' {
				i++
				if i < len(r) && r[i] == '/' {
					i++
				}
				if i >= len(r) {
					if kind == "exact" {
						kind = "prefix"
					} else {
						b.WriteString(".*")
						kind = "regexp"
					}
				} else {
					b.WriteString("(.*/)?")
					kind = "regexp"
				}
				if k == 0 {
					kind = "suffix"
				}
			} else {
				b.WriteString("[^/]*")
				kind = "regexp"
			}
		case c == '?':
			b.WriteString("[^/]")
			kind = "regexp"
		case strings.ContainsRune(".+()|{}$", c):
			b.WriteString("\\" + string(c))
		case c == '\\':
			if i < len(r) {
				b.WriteString("\\" + string(r[i]))
				i++
				kind = "regexp"
			} else {
				b.WriteString("\\")
			}
		case c == '[' || c == ']':
			b.WriteRune(c)
			kind = "regexp"
		default:
			b.WriteRune(c)
		}
	}
	pt := &pat{kind: kind, text: p}
	if kind == "regexp" {
		b.WriteString("$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			pt.err = true
		}
		pt.re = re
	}
	return pt
}

func (p *pat) match(path string) (bool, bool) {
	switch p.kind {
	case "exact":
		return path == p.text, false
	case "prefix":
		return strings.HasPrefix(path, p.text[:len(p.text)-2]), false
	case "suffix":
		s := p.text[2:]
		if strings.HasSuffix(path, s) {
			return true, false
		}
		return len(s) > 0 && s[0] == '/' && path == s[1:], false
	}
	if p.err {
		return false, true
	}
	return p.re.MatchString(path), false
}

// instantiate makes a path the pattern probably matches: wildcards replaced by text.
func instantiate(rng *rand.Rand, p string) string {
	fill := []string{"a", "b", "x", ".", "é", "-", "d"}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				i++
				for j := rng.Intn(3); j > 0; j-- {
					b.WriteString(fill[rng.Intn(len(fill))] + "/")
				}
				continue
			}
			for j := rng.Intn(3); j > 0; j-- {
				b.WriteString(fill[rng.Intn(len(fill))])
			}
		case '?':
			b.WriteString(fill[rng.Intn(len(fill))])
		case '[':
			if k := strings.IndexByte(p[i:], ']'); k > 0 {
				i += k
			}
			b.WriteString(fill[rng.Intn(len(fill))])
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteByte(p[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func res(m, e bool) string {
	if e {
		return "E"
	}
	if m {
		return "1"
	}
	return "0"
}

func main() {
	rng := rand.New(rand.NewSource(20261128))
	patAlpha := []string{"a", "b", "/", "/", "*", "*", "**", "?", "[", "]", "^", "-", "\\", ".", "(", "$", "+", "d", "w", "[:alpha:]", "é", "x", "[a-c]", "[^/]", "!"}
	pathAlpha := []string{"a", "b", "/", "/", ".", "-", "^", "é", "\n", "d", "1", "]", "[", "*", "x", "c", "\xff"}
	seen := map[string]bool{}
	n := 0
	for n < 6000 {
		var pb, qb strings.Builder
		for i, l := 0, 1+rng.Intn(7); i < l; i++ {
			pb.WriteString(patAlpha[rng.Intn(len(patAlpha))])
		}
		for i, l := 0, 1+rng.Intn(8); i < l; i++ {
			qb.WriteString(pathAlpha[rng.Intn(len(pathAlpha))])
		}
		raw, path := pb.String(), strings.Trim(qb.String(), "/")
		if rng.Intn(2) == 0 {
			path = strings.Trim(instantiate(rng, raw), "/")
		}
		if path == "" || seen[raw+"\x00"+path] {
			continue
		}
		seen[raw+"\x00"+path] = true
		p := filepath.Clean(strings.TrimSpace(raw))
		if strings.HasPrefix(p, "!") {
			continue // exceptions are covered by the hand-written cases
		}
		if _, err := filepath.Match(p, "."); err != nil {
			continue // rejected by New: covered elsewhere
		}
		pt := compile(p)
		em, ee := pt.match(path)
		// MatchesOrParentMatches for one pattern
		om, oe := em, ee
		if !om && !oe {
			if parent := filepath.Dir(path); parent != "." {
				dirs := strings.Split(parent, "/")
				for i := range dirs {
					if m, _ := pt.match(strings.Join(dirs[:i+1], "/")); m {
						om = true
						break
					}
				}
			}
		}
		fm, ferr := filepath.Match(p, path)
		fmt.Printf("%s\t%s\t%s\t%s\t%s\n", hex.EncodeToString([]byte(raw)), hex.EncodeToString([]byte(path)),
			res(em, ee), res(om, oe), res(fm, ferr != nil))
		n++
	}
}
