// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Literal values: numbers with units, IPv4/IPv6 addresses and networks. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "filter_int.h"

struct unit {
	const char *name;
	double factor;
};

/* Longest first where one name is a prefix of another ("Ki" before "K"). */
static const struct unit size_mults[] = {
    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
    {"k", 1e3},	    {"K", 1e3},	       {"M", 1e6},	     {"G", 1e9},
    {"T", 1e12},
};

static const struct unit size_kinds[] = {
    {"B", 1.0},
    {"bit", 0.125},
    {"b", 0.125},
};

static const struct unit time_units[] = {
    {"ns", 1.0}, {"us", 1e3},	{"\xc2\xb5s", 1e3}, /* µs */
    {"ms", 1e6}, {"min", 60e9}, {"s", 1e9},	    {"h", 3600e9},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Consumes the first unit of tab that s starts with; returns its factor, or 0. */
static double take_unit(const struct unit *tab, size_t ntab, const char **s, const char *end)
{
	size_t i, n;

	for (i = 0; i < ntab; i++) {
		n = strlen(tab[i].name);
		if ((size_t)(end - *s) >= n && !memcmp(*s, tab[i].name, n)) {
			*s += n;
			return tab[i].factor;
		}
	}
	return 0;
}

/*
 * A plain decimal reader: strtod() would follow LC_NUMERIC (a UI that calls
 * setlocale() would turn "1.5" into 1) and accepts hex, "inf" and "nan".
 */
static const char *read_decimal(const char *s, const char *end, double *out)
{
	double mant = 0, scale = 1;
	bool neg = false;

	if (s < end && *s == '-') {
		neg = true;
		s++;
	}
	if (s >= end || !is_digit(*s))
		return NULL;
	for (; s < end && is_digit(*s); s++)
		mant = mant * 10 + (*s - '0');
	if (end - s >= 2 && s[0] == '.' && is_digit(s[1])) {
		for (s++; s < end && is_digit(*s); s++) {
			mant = mant * 10 + (*s - '0');
			scale *= 10;
		}
	}
	*out = (neg ? -mant : mant) / scale;
	return s;
}

static int unit_error(const char *u, const char *end, const char *field, const char *hint,
		      char *msg, size_t msglen)
{
	char q[QUOTE_BUF];

	snprintf(msg, msglen, "unknown unit %s for '%s' (%s)",
		 flt_error_quote(u, (size_t)(end - u), q, sizeof(q)), field, hint);
	return -1;
}

int flt_value_quantity(const char *s, size_t n, const char *field, unsigned flags, double *out,
		       size_t *bad, char *msg, size_t msglen)
{
	const char *end = s + n, *u, *p;
	double v, f;
	char q[QUOTE_BUF];

	p = read_decimal(s, end, &v);
	*bad = 0;
	if (!p) {
		snprintf(msg, msglen, "expected a number for '%s', found %s", field,
			 flt_error_quote(s, n, q, sizeof(q)));
		return -1;
	}
	u = p;
	*bad = (size_t)(u - s);
	if (end - u >= 2 && u[0] == '.' && u[1] == '.') {
		*bad = 0;
		snprintf(msg, msglen, "a range needs 'in': %s in %.*s", field,
			 (int)(n > QUOTE_MAX ? QUOTE_MAX : n), s);
		return -1;
	}
	if (flags & FILTER_F_PERCENT) {
		if (u < end && *u == '%')
			u++;
		if (u != end)
			return unit_error(p, end, field, "use e.g. 50 or 50%", msg, msglen);
	} else if (flags & FILTER_F_NS) {
		f = u < end
			? take_unit(time_units, sizeof(time_units) / sizeof(time_units[0]), &u, end)
			: 1;
		if (!f || u != end)
			return unit_error(p, end, field, "use ns, us, ms, s, min or h", msg,
					  msglen);
		v *= f;
	} else if (flags & (FILTER_F_RATE | FILTER_F_BYTES)) {
		f = take_unit(size_mults, sizeof(size_mults) / sizeof(size_mults[0]), &u, end);
		v *= f ? f : 1;
		f = take_unit(size_kinds, sizeof(size_kinds) / sizeof(size_kinds[0]), &u, end);
		v *= f ? f : 1;
		if (end - u == 2 && !memcmp(u, "/s", 2)) {
			if (!(flags & FILTER_F_RATE)) {
				*bad = (size_t)(u - s);
				snprintf(msg, msglen, "'/s' needs a rate field, but '%s' is a size",
					 field);
				return -1;
			}
			u += 2;
		}
		if (u != end)
			return unit_error(p, end, field, "use e.g. 100k, 10MB/s, 1.5Mbit/s, 2KiB/s",
					  msg, msglen);
	} else if (u != end) {
		snprintf(msg, msglen, "'%s' takes a plain number, without a unit such as %s", field,
			 flt_error_quote(u, (size_t)(end - u), q, sizeof(q)));
		return -1;
	}
	if (!isfinite(v)) {
		*bad = 0;
		snprintf(msg, msglen, "number out of range for '%s'", field);
		return -1;
	}
	*out = v;
	return 0;
}

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Clears the host bits, so that dumps show the network and matching needs no mask. */
static void mask_host_bits(struct fnet *n)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (n->prefix >= (i + 1) * 8)
			continue;
		if (n->prefix <= i * 8)
			n->a[i] = 0;
		else
			n->a[i] &= (uint8_t)(0xff << (8 - (n->prefix - i * 8)));
	}
}

int flt_value_net(const char *s, size_t n, bool allow_prefix, struct fnet *out, char *msg,
		  size_t msglen)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	char buf[INET6_ADDRSTRLEN + 1], q[QUOTE_BUF];
	unsigned prefix = 0, max;
	bool v6;

	if (slash && !allow_prefix) {
		snprintf(msg, msglen, "a network needs 'in', not '=' or '!='");
		return -1;
	}
	if (alen == 0 || alen >= sizeof(buf))
		goto bad_addr;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	v6 = memchr(buf, ':', alen) != NULL;
	if (v6) {
		if (inet_pton(AF_INET6, buf, out->a) != 1)
			goto bad_addr;
	} else {
		memcpy(out->a, v4mapped, sizeof(v4mapped));
		if (inet_pton(AF_INET, buf, out->a + 12) != 1)
			goto bad_addr;
	}
	max = v6 ? 128 : 32;
	if (slash) {
		const char *p = slash + 1, *end = s + n;

		if (p == end || end - p > 3)
			goto bad_prefix;
		for (; p < end; p++) {
			if (!is_digit(*p))
				goto bad_prefix;
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > max)
			goto bad_prefix;
	} else {
		prefix = max;
	}
	out->prefix = v6 ? prefix : prefix + 96;
	mask_host_bits(out);
	return 0;
bad_addr:
	snprintf(msg, msglen, "invalid address %s", flt_error_quote(s, alen, q, sizeof(q)));
	return -1;
bad_prefix:
	snprintf(msg, msglen, "invalid prefix length %s (%s allows 0 to %u)",
		 flt_error_quote(slash, (size_t)(s + n - slash), q, sizeof(q)),
		 v6 ? "IPv6" : "IPv4", max);
	return -1;
}

bool flt_value_looks_like_cidr(const char *s, size_t n)
{
	struct fnet net;
	char msg[8];

	return memchr(s, '/', n) && flt_value_net(s, n, true, &net, msg, sizeof(msg)) == 0;
}

bool flt_value_addr_to_net(const struct filter_addr *in, struct fnet *out)
{
	out->prefix = 128;
	if (in->family == AF_INET) {
		memcpy(out->a, v4mapped, sizeof(v4mapped));
		memcpy(out->a + 12, in->a, 4);
		return true;
	}
	if (in->family == AF_INET6) {
		memcpy(out->a, in->a, 16);
		return true;
	}
	return false;
}

bool flt_value_net_contains(const struct fnet *net, const struct fnet *addr)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	uint8_t mask;

	if (memcmp(net->a, addr->a, full))
		return false;
	if (!rest)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (addr->a[full] & mask) == net->a[full];
}

const char *flt_value_net_format(const struct fnet *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	unsigned prefix = n->prefix, full;

	if (prefix >= 96 && !memcmp(n->a, v4mapped, sizeof(v4mapped))) {
		inet_ntop(AF_INET, n->a + 12, a, sizeof(a));
		prefix -= 96;
		full = 32;
	} else {
		inet_ntop(AF_INET6, n->a, a, sizeof(a));
		full = 128;
	}
	if (prefix == full)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, prefix);
	return buf;
}
