#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scalar.h"
#include "util.h"

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Go's strconv underscoreOK: `_' only between digits (or after a prefix). */
static int
underscore_ok(const char *s, size_t n)
{
	int saw = '^', hex = 0;
	size_t i = 0;

	if (n >= 1 && (s[0] == '-' || s[0] == '+')) {
		s++;
		n--;
	}
	if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' ||
	    lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = lower(s[1]) == 'x';
	}
	for (; i < n; i++) {
		int c = (unsigned char)s[i];

		if (is_digit(c) || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
float_shape(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i]))
			i++, d++;
		if (d == 0)
			return 0;
	} else {
		while (i < n && is_digit(s[i]))
			i++, d++;
		if (d == 0)
			return 0;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && is_digit(s[i]))
				i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		d = 0;
		while (i < n && is_digit(s[i]))
			i++, d++;
		if (d == 0)
			return 0;
	}
	return i == n;
}

/*
 * Go ParseInt/ParseUint with base 0 on text already free of `_'.
 * Returns 1 on success; *neg tells the sign; *mag the magnitude.
 */
static int
parse_go_int(const char *s, size_t n, int *neg, uint64_t *mag, int *ovf)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	*neg = 0;
	*ovf = 0;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		*neg = s[i] == '-';
		i++;
	}
	if (n - i >= 2 && s[i] == '0') {
		int p = lower(s[i + 1]);

		if (p == 'x' || p == 'o' || p == 'b') {
			base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
			i += 2;
		} else {
			base = 8;
			i += 1;
			digits = 1;	/* the leading 0 counts as a digit */
		}
	}
	for (; i < n; i++) {
		int c = lower((unsigned char)s[i]);
		unsigned dv;

		if (is_digit(c))
			dv = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			dv = (unsigned)(c - 'a' + 10);
		else
			return 0;
		if (dv >= base)
			return 0;
		if (v > (UINT64_MAX - dv) / base)
			*ovf = 1;
		else
			v = v * base + dv;
		digits++;
	}
	if (digits == 0)
		return 0;
	*mag = v;
	return 1;
}

static int
table_match(const char *s, size_t n, const char *const *tab)
{
	for (; *tab; tab++)
		if ((*tab)[0] == s[0] && strlen(*tab) == n &&
		    memcmp(*tab, s, n) == 0)
			return 1;
	return 0;
}

static const char *const yes_tab[] = {
	"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On",
	"ON", NULL
};
static const char *const no_tab[] = {
	"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off",
	"OFF", NULL
};
static const char *const null_tab[] = { "~", "null", "Null", "NULL", NULL };
static const char *const inf_tab[] = {
	".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL
};
static const char *const ninf_tab[] = { "-.inf", "-.Inf", "-.INF", NULL };
static const char *const nan_tab[] = { ".nan", ".NaN", ".NAN", NULL };

static void
set_float(struct scalar *out, double d)
{
	out->kind = SCALAR_FLOAT;
	out->d = d;
	/* A float whose JSON form is a bare integer is stored as one. */
	out->len = scalar_float_json(d, out->text, sizeof out->text);
	if (strpbrk(out->text, ".e") == NULL) {
		out->kind = SCALAR_INT;
		out->was_float = 1;
		/* kubectl writes -0, which the API server decodes as 0. */
		if (strcmp(out->text, "-0") == 0)
			out->len = (size_t)snprintf(out->text, sizeof out->text, "0");
	}
}

static int
parse_float(const char *p, size_t n, double *d)
{
	char tmp[400];
	char *end;

	if (n >= sizeof tmp)
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	*d = strtod(tmp, &end);
	if (*end != '\0')
		return 0;
	if (errno == ERANGE && (isinf(*d) || fabs(*d) > DBL_MAX))
		return 0;
	if (isinf(*d) || isnan(*d))
		return 0;
	return 1;
}

/* v in decimal, after a minus when neg; the length (at most 21). */
static size_t
decimal(char *out, int neg, uint64_t v)
{
	char tmp[24];
	size_t n = 0, len = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	out[len] = '\0';
	return len;
}

/* First bytes of anything but a string: a sign, a digit, a dot, or the
 * start of a boolean or null word (NUL too, as strchr had it). */
static const unsigned char resolve_first[256] = {
	[0] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['0'] = 1, ['1'] = 1,
	['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['y'] = 1, ['Y'] = 1, ['n'] = 1, ['N'] = 1,
	['t'] = 1, ['T'] = 1, ['f'] = 1, ['F'] = 1, ['o'] = 1, ['O'] = 1,
	['~'] = 1
};

void
scalar_resolve(const char *s, size_t n, struct scalar *out)
{
	char p[400];
	size_t i, pn = 0;
	int c, neg, ovf;
	uint64_t mag;
	double d;

	/* Not a memset: text is written only for an integer, and most
	 * scalars are strings that leave here at once. */
	out->kind = SCALAR_STR;
	out->b = out->is_uint = out->was_float = 0;
	out->d = 0;
	out->text[0] = '\0';
	out->len = 0;
	if (n == 0) {
		out->kind = SCALAR_NULL;
		return;
	}
	c = (unsigned char)s[0];
	if (!resolve_first[c])
		return;
	/* Every word in the tables is 5 bytes or shorter. */
	if (n > 5)
		goto number;
	if (table_match(s, n, yes_tab)) {
		out->kind = SCALAR_BOOL;
		out->b = 1;
		return;
	}
	if (table_match(s, n, no_tab)) {
		out->kind = SCALAR_BOOL;
		return;
	}
	if (table_match(s, n, null_tab)) {
		out->kind = SCALAR_NULL;
		return;
	}
	if (table_match(s, n, inf_tab) || table_match(s, n, ninf_tab)) {
		out->kind = SCALAR_INF;
		return;
	}
	if (table_match(s, n, nan_tab)) {
		out->kind = SCALAR_NAN;
		return;
	}
number:
	if (c == '.') {
		/* Go ParseFloat on the whole text, `_' between digits only. */
		if (!underscore_ok(s, n) || n >= sizeof p)
			return;
		for (i = 0; i < n; i++)
			if (s[i] != '_')
				p[pn++] = s[i];
		if (float_shape(p, pn) && parse_float(p, pn, &d))
			set_float(out, d);
		return;
	}
	if (!(c == '+' || c == '-' || is_digit(c)))
		return;
	if (n >= sizeof p)
		return;
	for (i = 0; i < n; i++)
		if (s[i] != '_')
			p[pn++] = s[i];
	if (parse_go_int(p, pn, &neg, &mag, &ovf) && !ovf) {
		if (!neg && mag > (uint64_t)INT64_MAX) {
			if (p[0] != '+') {
				out->kind = SCALAR_INT;
				out->is_uint = 1;
				out->len = decimal(out->text, 0, mag);
				return;
			}
		} else if (!neg || mag <= (uint64_t)INT64_MAX + 1) {
			out->kind = SCALAR_INT;
			out->len = decimal(out->text, neg && mag, mag);
			return;
		}
	}
	if (float_shape(p, pn) && parse_float(p, pn, &d))
		set_float(out, d);
}

int
scalar_to_float(struct scalar *sc)
{
	if (sc->kind != SCALAR_INT || sc->was_float)
		return 0;
	if (sc->is_uint)
		return -1;
	set_float(sc, strtod(sc->text, NULL));
	return 0;
}

/* Go's getnum: one or two digits; returns how many, 0 if none. */
static size_t
num12(const char *s, size_t n, int *v)
{
	if (n < 1 || !is_digit(s[0]))
		return 0;
	if (n < 2 || !is_digit(s[1])) {
		*v = s[0] - '0';
		return 1;
	}
	*v = (s[0] - '0') * 10 + s[1] - '0';
	return 2;
}

int
scalar_timestamp(const char *s, size_t n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, se, zone;
	size_t i, k;

	for (i = 0; i < 4; i++)
		if (i >= n || !is_digit(s[i]))
			return 0;
	y = atoi(s);
	if (n < 5 || s[4] != '-' || !(k = num12(s + 5, n - 5, &mo)))
		return 0;
	i = 5 + k;
	if (i >= n || s[i] != '-' || !(k = num12(s + i + 1, n - i - 1, &d)))
		return 0;
	i += 1 + k;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 &&
	    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	if (i == n)
		return 1;
	zone = s[i] == 'T' || s[i] == 't';
	if (!zone && s[i] != ' ')
		return 0;
	i++;
	if (!(k = num12(s + i, n - i, &h)) || h > 23)
		return 0;
	i += k;
	if (i >= n || s[i] != ':' || !(k = num12(s + i + 1, n - i - 1, &mi)) ||
	    mi > 59)
		return 0;
	i += 1 + k;
	if (i >= n || s[i] != ':' || !(k = num12(s + i + 1, n - i - 1, &se)) ||
	    se > 59)
		return 0;
	i += 1 + k;
	/* A fraction of any length, after a period or (Go 1.17+) a comma. */
	if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1]))
		for (i++; i < n && is_digit(s[i]); i++)
			;
	if (!zone)
		return i == n;
	if (i + 1 == n && s[i] == 'Z')
		return 1;
	return i + 6 == n && (s[i] == '+' || s[i] == '-') && is_digit(s[i + 1]) &&
	    is_digit(s[i + 2]) && s[i + 3] == ':' && is_digit(s[i + 4]) &&
	    is_digit(s[i + 5]) && (s[i + 1] - '0') * 10 + s[i + 2] - '0' <= 24 &&
	    (s[i + 4] - '0') * 10 + s[i + 5] - '0' <= 60;
}

/*
 * Shortest decimal digits that read back as d: digits into dig (no dot),
 * returns the count; *exp10 is the exponent of the first digit.
 */
static int
shortest(double d, int bits32, char *dig, int *exp10)
{
	char tmp[64], *e;
	int prec, nd = 0, i;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (bits32 ? strtof(tmp, NULL) == (float)d :
		    strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	*exp10 = atoi(e + 1);
	for (i = 0; tmp + i < e; i++)
		if (is_digit(tmp[i]))
			dig[nd++] = tmp[i];
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	dig[nd] = '\0';
	return nd;
}

static size_t
put_fixed(char *out, size_t n, int neg, const char *dig, int nd, int exp10)
{
	struct buf b = BUF_INIT;
	int dp = exp10 + 1, i;
	size_t len;

	if (neg)
		buf_addc(&b, '-');
	if (dp <= 0) {
		buf_adds(&b, "0.");
		for (i = 0; i < -dp; i++)
			buf_addc(&b, '0');
		buf_add(&b, dig, (size_t)nd);
	} else if (dp >= nd) {
		buf_add(&b, dig, (size_t)nd);
		for (i = nd; i < dp; i++)
			buf_addc(&b, '0');
	} else {
		buf_add(&b, dig, (size_t)dp);
		buf_addc(&b, '.');
		buf_add(&b, dig + dp, (size_t)(nd - dp));
	}
	len = (size_t)snprintf(out, n, "%s", b.p);
	buf_release(&b);
	return len;
}

static size_t
put_exp(char *out, size_t n, int neg, const char *dig, int nd, int exp10,
    int force_dot, int pad2)
{
	char mant[40];

	if (nd > 1)
		snprintf(mant, sizeof mant, "%c.%s", dig[0], dig + 1);
	else
		snprintf(mant, sizeof mant, "%c%s", dig[0], force_dot ? ".0" : "");
	return (size_t)snprintf(out, n, "%s%se%c%0*d", neg ? "-" : "", mant,
	    exp10 < 0 ? '-' : '+', pad2 ? 2 : 1, abs(exp10));
}

size_t
scalar_float_json(double d, char *out, size_t n)
{
	char dig[32];
	int nd, exp10;
	double a = fabs(d);

	if (d == 0)
		return (size_t)snprintf(out, n, "%s", signbit(d) ? "-0" : "0");
	nd = shortest(a, 0, dig, &exp10);
	if (a < 1e-6 || a >= 1e21)
		return put_exp(out, n, d < 0, dig, nd, exp10, 0, 0);
	return put_fixed(out, n, d < 0, dig, nd, exp10);
}

size_t
scalar_float_yaml(double d, char *out, size_t n)
{
	char dig[32];
	int nd, exp10;
	double a = fabs(d);

	if (d == 0)
		return (size_t)snprintf(out, n, "%s", signbit(d) ? "-0.0" : "0.0");
	nd = shortest(a, 0, dig, &exp10);
	if (a < 1e-6 || a >= 1e21)
		return put_exp(out, n, d < 0, dig, nd, exp10, 1, 0);
	return put_fixed(out, n, d < 0, dig, nd, exp10);
}

size_t
scalar_float_key(double d, char *out, size_t n)
{
	char dig[32];
	int nd, exp10;
	float f = (float)d;

	if (isnan(f))
		return (size_t)snprintf(out, n, ".nan");
	if (isinf(f))
		return (size_t)snprintf(out, n, "%s", f < 0 ? "-.inf" : ".inf");
	if (f == 0)
		return (size_t)snprintf(out, n, "%s", signbit(f) ? "-0" : "0");
	nd = shortest(fabs((double)f), 1, dig, &exp10);
	/* Go's shortest %g switches to an exponent outside [1e-4, 1e6). */
	if (exp10 < -4 || exp10 >= 6)
		return put_exp(out, n, f < 0, dig, nd, exp10, 0, 1);
	return put_fixed(out, n, f < 0, dig, nd, exp10);
}

/* Words some reader takes for something else, any case (all 5 bytes or
 * shorter). */
static const struct {
	const char *s;
	size_t n;
} keywords[] = {
	{ "y", 1 }, { "n", 1 }, { "yes", 3 }, { "no", 2 }, { "true", 4 },
	{ "false", 5 }, { "on", 2 }, { "off", 3 }, { "null", 4 }, { "~", 1 },
	{ ".inf", 4 }, { "-.inf", 5 }, { "+.inf", 5 }, { ".nan", 4 },
	{ "=", 1 }, { "<<", 2 }, { NULL, 0 }
};

/* Bytes that may not start a plain scalar (NUL too, as strchr had it). */
static const unsigned char plain_bad_first[256] = {
	[0] = 1, ['?'] = 1, [':'] = 1, [','] = 1, ['['] = 1, [']'] = 1,
	['{'] = 1, ['}'] = 1, ['#'] = 1, ['&'] = 1, ['*'] = 1, ['!'] = 1,
	['|'] = 1, ['>'] = 1, ['\''] = 1, ['"'] = 1, ['%'] = 1, ['@'] = 1,
	['`'] = 1, ['~'] = 1, [' '] = 1, ['\t'] = 1
};

/* ASCII bytes the loop over a plain scalar must look at more closely
 * (and every byte past ASCII). */
static const unsigned char plain_look[128] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
	[0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1,
	[0x0C] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1,
	[0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1,
	[0x1E] = 1, [0x1F] = 1, [' '] = 1, [':'] = 1, [0x7F] = 1
};

/* First bytes of the keywords, lower case. */
static const unsigned char keyword_first[256] = {
	['y'] = 1, ['n'] = 1, ['t'] = 1, ['f'] = 1, ['o'] = 1, ['~'] = 1,
	['.'] = 1, ['-'] = 1, ['+'] = 1, ['='] = 1, ['<'] = 1
};

/* Bytes a number of any base or shape is made of. */
static const unsigned char number_byte[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['A'] = 1, ['B'] = 1,
	['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['x'] = 1, ['X'] = 1,
	['o'] = 1, ['O'] = 1, ['_'] = 1, ['.'] = 1, ['+'] = 1, ['-'] = 1,
	[':'] = 1
};

int
scalar_plain_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct scalar sc;
	size_t i, k;
	int numeric = 1;

	if (n == 0 || n > 1024)
		return 0;
	if (plain_bad_first[u[0]])
		return 0;
	if (u[0] == '-' && (n == 1 || u[1] == ' ' || u[1] == '-'))
		return 0;
	if (n >= 3 && (memcmp(s, "...", 3) == 0 || memcmp(s, "---", 3) == 0))
		return 0;
	if (u[n - 1] == ' ' || u[n - 1] == ':')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = u[i];
		uint32_t cp;
		int len;

		numeric &= number_byte[c];
		if (c < 0x80 && !plain_look[c])
			continue;
		if (c < 0x20 || c == 0x7F)
			return 0;
		if (c == ':' && i + 1 < n && u[i + 1] == ' ')
			return 0;
		if (c == ' ' && i + 1 < n && u[i + 1] == '#')
			return 0;
		if (c >= 0x80) {
			len = utf8_decode(u + i, n - i, &cp);
			if (len == 0 || cp < 0xA0 || cp == 0x2028 ||
			    cp == 0x2029 || cp == 0xFEFF || cp >= 0xFFFE)
				return 0;
			i += (size_t)len - 1;
		}
	}
	/* Anything number-shaped is quoted, whatever a given reader makes of it. */
	if (numeric && (is_digit(u[0]) || u[0] == '+' || u[0] == '-' ||
	    u[0] == '.'))
		return 0;
	/* YAML 1.1 readers take anything shaped like a date for one. */
	if (n >= 5 && is_digit(u[0]) && is_digit(u[1]) && is_digit(u[2]) &&
	    is_digit(u[3]) && u[4] == '-')
		return 0;
	if (n <= 5 && keyword_first[lower(u[0])])
		for (k = 0; keywords[k].s; k++)
			if (keywords[k].n == n &&
			    keywords[k].s[0] == lower(u[0]) &&
			    strncasecmp(keywords[k].s, s, n) == 0)
				return 0;
	scalar_resolve(s, n, &sc);
	return sc.kind == SCALAR_STR;
}
