// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the filter language: parse trees, matching, errors and limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter/filter.h"
#include "filter/filter_int.h"

/* ---- a schema like ebtop's, and fake rows ---- */

enum {
	F_NAME,
	F_PID,
	F_PPID,
	F_USER,
	F_UID,
	F_CMD,
	F_CGROUP,
	F_STATE,
	F_CPU,
	F_RUNQ,
	F_ONCPU,
	F_TX,
	F_RX,
	F_DISK_R,
	F_DISK_W,
	F_RETX,
	F_RSS,
	F_NPROC, /* process fields above, connection fields below */
	F_C_PROTO = F_NPROC,
	F_C_LADDR,
	F_C_LPORT,
	F_C_RADDR,
	F_C_RPORT,
	F_C_STATE,
	F_C_TX,
	F_C_RX,
	F_NFIELDS,
};

#define C FILTER_F_CONN

static const struct filter_field fields[] = {
    {"name", FILTER_STR, F_NAME, 0},
    {"pid", FILTER_NUM, F_PID, 0},
    {"ppid", FILTER_NUM, F_PPID, 0},
    {"user", FILTER_STR, F_USER, 0},
    {"uid", FILTER_NUM, F_UID, 0},
    {"cmd", FILTER_STR, F_CMD, 0},
    {"cgroup", FILTER_STR, F_CGROUP, 0},
    {"state", FILTER_STR, F_STATE, 0},
    {"cpu", FILTER_NUM, F_CPU, FILTER_F_PERCENT},
    {"runq", FILTER_NUM, F_RUNQ, FILTER_F_NS},
    {"oncpu", FILTER_NUM, F_ONCPU, FILTER_F_NS},
    {"tx", FILTER_NUM, F_TX, FILTER_F_RATE},
    {"rx", FILTER_NUM, F_RX, FILTER_F_RATE},
    {"disk_r", FILTER_NUM, F_DISK_R, FILTER_F_RATE},
    {"disk_w", FILTER_NUM, F_DISK_W, FILTER_F_RATE},
    {"retx", FILTER_NUM, F_RETX, 0},
    {"rss", FILTER_NUM, F_RSS, FILTER_F_BYTES},
    {"conn.proto", FILTER_STR, F_C_PROTO, C},
    {"conn.laddr", FILTER_ADDR, F_C_LADDR, C},
    {"conn.lport", FILTER_NUM, F_C_LPORT, C},
    {"conn.raddr", FILTER_ADDR, F_C_RADDR, C},
    {"conn.rport", FILTER_NUM, F_C_RPORT, C},
    {"conn.state", FILTER_STR, F_C_STATE, C},
    {"conn.tx", FILTER_NUM, F_C_TX, C | FILTER_F_RATE},
    {"conn.rx", FILTER_NUM, F_C_RX, C | FILTER_F_RATE},
};

static const struct filter_schema schema = {fields, sizeof(fields) / sizeof(fields[0])};

/* NULL strings and NAN numbers are unavailable. */
struct tconn {
	const char *label;
	const char *str[F_NFIELDS];
	double num[F_NFIELDS];
	const struct tproc *owner;
};

struct tproc {
	const char *str[F_NFIELDS];
	double num[F_NFIELDS];
	struct tconn *conns;
	size_t nconns;
};

#define U NAN

/* Connections: proto, state, laddr, raddr as strings; lport, rport, tx, rx as numbers. */
#define CONN(lbl, proto, state, la, lp, ra, rp, tx, rx)                                    \
	{                                                                                  \
		.label = lbl,                                                              \
		.str = {[F_C_PROTO] = proto,                                               \
			[F_C_STATE] = state,                                               \
			[F_C_LADDR] = la,                                                  \
			[F_C_RADDR] = ra},                                                 \
		.num = {[F_C_LPORT] = lp, [F_C_RPORT] = rp, [F_C_TX] = tx, [F_C_RX] = rx}, \
	}

static struct tconn java_conns[] = {
    CONN("java/0", "tcp", "LISTEN", "0.0.0.0", 2181, NULL, U, 0, 0),
    CONN("java/1", "tcp", "ESTABLISHED", "10.0.0.5", 2181, "10.0.0.9", 45000, 1e6, 5e5),
    CONN("java/2", "tcp", "ESTABLISHED", "::ffff:10.1.2.3", 40000, "::ffff:192.168.1.20", 8080, 3e6,
	 1e3),
};

static struct tconn python_conns[] = {
    CONN("python3/0", "tcp", "LISTEN", "::", 8000, NULL, U, 0, 0),
    CONN("python3/1", "tcp", "ESTABLISHED", "::1", 8000, "::1", 51000, 187500, 2048),
    CONN("python3/2", "udp", NULL, "fe80::1", 5353, "ff02::fb", 5353, 0, 0),
};

static struct tconn sshd_conns[] = {
    CONN("sshd/0", "tcp", "ESTABLISHED", "192.168.1.10", 22, "203.0.113.7", 50022, 900, 900),
    CONN("sshd/1", "tcp", "ESTABLISHED", "127.0.0.1", 22, "127.0.0.1", 40022, 100, 100),
};

static struct tconn app_conns[] = {
    CONN("app/0", "tcp", "ESTABLISHED", "10.0.0.5", 8050, "10.0.0.1", 8100, 5e6, 1e6),
    CONN("app/1", "tcp", "ESTABLISHED", "10.0.0.5", 8051, "10.2.0.1", 443, U, 250e3),
};

#define NCONNS(a) (sizeof(a) / sizeof((a)[0]))

static struct tproc procs[] = {
    {
	.str = {[F_NAME] = "java",
		[F_USER] = "app",
		[F_CMD] = "/usr/bin/java -jar zk.jar",
		[F_CGROUP] = "/system.slice/zookeeper.service",
		[F_STATE] = "S"},
	.num = {[F_PID] = 100,
		[F_PPID] = 1,
		[F_UID] = 1000,
		[F_CPU] = 55.5,
		[F_RUNQ] = 2e6,
		[F_ONCPU] = 15e6,
		[F_TX] = 12e6,
		[F_RX] = 200e3,
		[F_DISK_R] = 0,
		[F_DISK_W] = 150e3,
		[F_RETX] = 3,
		[F_RSS] = 2e9},
	.conns = java_conns,
	.nconns = NCONNS(java_conns),
    },
    {
	.str = {[F_NAME] = "python3",
		[F_USER] = "alice",
		[F_CMD] = "python3 -m http.server 8000",
		[F_CGROUP] = "/user.slice/user-1001.slice",
		[F_STATE] = "R"},
	.num = {[F_PID] = 200,
		[F_PPID] = 100,
		[F_UID] = 1001,
		[F_CPU] = 5,
		[F_RUNQ] = 100e3,
		[F_ONCPU] = 1e6,
		[F_TX] = 187500,
		[F_RX] = 2048,
		[F_DISK_R] = 4096,
		[F_DISK_W] = 0,
		[F_RETX] = 0,
		[F_RSS] = 50e6},
	.conns = python_conns,
	.nconns = NCONNS(python_conns),
    },
    {
	.str = {[F_NAME] = "sshd",
		[F_USER] = "root",
		[F_CMD] = "sshd: alice [priv]",
		[F_CGROUP] = "/system.slice/ssh.service",
		[F_STATE] = "S"},
	.num = {[F_PID] = 300,
		[F_PPID] = 1,
		[F_UID] = 0,
		[F_CPU] = 0,
		[F_RUNQ] = 0,
		[F_ONCPU] = 0,
		[F_TX] = 1000,
		[F_RX] = 1000,
		[F_DISK_R] = 0,
		[F_DISK_W] = 0,
		[F_RETX] = 0,
		[F_RSS] = 8e6},
	.conns = sshd_conns,
	.nconns = NCONNS(sshd_conns),
    },
    {
	/* A kernel thread: no command line, no cgroup, most counters unavailable. */
	.str = {[F_NAME] = "kworker/0:1", [F_USER] = "root", [F_STATE] = "I"},
	.num = {[F_PID] = 400,
		[F_PPID] = 2,
		[F_UID] = 0,
		[F_CPU] = 0.5,
		[F_RUNQ] = U,
		[F_ONCPU] = U,
		[F_TX] = U,
		[F_RX] = U,
		[F_DISK_R] = U,
		[F_DISK_W] = U,
		[F_RETX] = U,
		[F_RSS] = U},
    },
    {
	.str =
	    {[F_NAME] = "My App", [F_CMD] = "my app \"quoted\"", [F_CGROUP] = "/", [F_STATE] = "D"},
	.num = {[F_PID] = 500,
		[F_PPID] = 1,
		[F_UID] = U,
		[F_CPU] = 150,
		[F_RUNQ] = 50e6,
		[F_ONCPU] = 1e9,
		[F_TX] = 10e6,
		[F_RX] = 1.25e6,
		[F_DISK_R] = 0,
		[F_DISK_W] = 100e3,
		[F_RETX] = 10,
		[F_RSS] = 1073741824},
	.conns = app_conns,
	.nconns = NCONNS(app_conns),
    },
};

#define NPROCS (sizeof(procs) / sizeof(procs[0]))

/* Rows are told apart by their field ids: conn fields only ever reach a tconn. */
static bool t_num(const void *row, int id, double *out)
{
	double v = id >= F_NPROC ? ((const struct tconn *)row)->num[id]
				 : ((const struct tproc *)row)->num[id];

	*out = v;
	return !isnan(v);
}

static const char *t_str(const void *row, int id)
{
	return id >= F_NPROC ? ((const struct tconn *)row)->str[id]
			     : ((const struct tproc *)row)->str[id];
}

static bool t_addr(const void *row, int id, struct filter_addr *out)
{
	const char *s = ((const struct tconn *)row)->str[id];

	if (!s)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(out->family, s, out->a) == 1;
}

static size_t t_nconns(const void *proc)
{
	return ((const struct tproc *)proc)->nconns;
}

static const void *t_conn(const void *proc, size_t i)
{
	return &((const struct tproc *)proc)->conns[i];
}

static const void *t_owner(const void *conn)
{
	return ((const struct tconn *)conn)->owner;
}

static const struct filter_ops ops = {
    .num = t_num,
    .str = t_str,
    .addr = t_addr,
    .nconns = t_nconns,
    .conn = t_conn,
    .conn_owner = t_owner,
};

static int setup_rows(void **state)
{
	size_t i, j;

	for (i = 0; i < NPROCS; i++)
		for (j = 0; j < procs[i].nconns; j++)
			procs[i].conns[j].owner = &procs[i];
	(void)state;
	return 0;
}

static struct filter *compile_ok(const char *expr)
{
	struct filter_error err;
	struct filter *f = filter_compile(expr, &schema, &err);

	if (!f)
		fail_msg("'%s' did not compile: column %d: %s", expr, err.column, err.msg);
	assert_int_equal(err.column, FILTER_NO_COLUMN);
	assert_string_equal(err.msg, "");
	return f;
}

/* ---- parse trees ---- */

struct parse_case {
	const char *expr;
	const char *dump;
};

static const struct parse_case parse_cases[] = {
    /* comparisons */
    {"name = java", "(= name \"java\")"},
    {"pid > 1", "(> pid 1)"},
    {"pid != 1", "(!= pid 1)"},
    {"pid < 1", "(< pid 1)"},
    {"pid <= 1", "(<= pid 1)"},
    {"pid >= 1", "(>= pid 1)"},
    {"pid == 1", "(= pid 1)"},
    {"pid > -1", "(> pid -1)"},
    {"pid = 007", "(= pid 7)"},
    {"name ~ \"^ja\"", "(~ name \"^ja\")"},
    {"name =~ ^ja", "(~ name \"^ja\")"},
    {"name !~ ^k", "(!~ name \"^k\")"},
    {"PID > 1", "(> pid 1)"},
    {"Conn.LPort = 1", "(any-conn (= conn.lport 1))"},
    /* spacing */
    {"pid>1", "(> pid 1)"},
    {"name=java", "(= name \"java\")"},
    {"\tpid\n>\r1 ", "(> pid 1)"},
    {"(pid=1)or(pid=2)", "(or (= pid 1) (= pid 2))"},
    /* precedence: not > and > or */
    {"pid = 1 or pid = 2 and pid = 3", "(or (= pid 1) (and (= pid 2) (= pid 3)))"},
    {"pid = 1 and pid = 2 or pid = 3", "(or (= pid 3) (and (= pid 1) (= pid 2)))"},
    {"not pid = 1 or pid = 2", "(or (not (= pid 1)) (= pid 2))"},
    {"pid = 1 and not pid = 2 or not pid = 3 and pid = 4",
     "(or (and (= pid 1) (not (= pid 2))) (and (not (= pid 3)) (= pid 4)))"},
    /* the dump shows the evaluation order: cheaper operands first, connection groups last */
    {"cmd ~ x and name = y and pid = 1", "(and (= pid 1) (= name \"y\") (~ cmd \"x\"))"},
    {"conn.lport = 1 or cmd ~ x or uid = 0",
     "(or (= uid 0) (any-conn (= conn.lport 1)) (~ cmd \"x\"))"},
    {"name = a or name = b and pid = 1", "(or (= name \"a\") (and (= pid 1) (= name \"b\")))"},
    {"name = a and name = b or pid = 1", "(or (= pid 1) (and (= name \"a\") (= name \"b\")))"},
    {"not name = a and pid = 1", "(and (= pid 1) (not (= name \"a\")))"},
    {"not (name = a or pid = 1)", "(not (or (= pid 1) (= name \"a\")))"},
    {"not not pid = 1", "(not (not (= pid 1)))"},
    {"(name = a or name = b) and pid = 1", "(and (= pid 1) (or (= name \"a\") (= name \"b\")))"},
    /* case-insensitive keywords */
    {"NAME = java AND pid > 1 Or NOT uid = 0",
     "(or (not (= uid 0)) (and (> pid 1) (= name \"java\")))"},
    {"pid IN (1, 2) and pid NoT In (3)", "(and (not-in pid 3) (in pid 1 2))"},
    /* 'and' and 'or' are associative: nested chains flatten */
    {"(name = a and pid = 1) and (uid = 0 and ppid = 2)",
     "(and (= pid 1) (= uid 0) (= ppid 2) (= name \"a\"))"},
    {"name = a or (name = b or name = c)", "(or (= name \"a\") (= name \"b\") (= name \"c\"))"},
    {"((((pid = 1))))", "(= pid 1)"},
    /* lists, ranges */
    {"pid in (1, 2, 3)", "(in pid 1 2 3)"},
    {"pid in(1,2)", "(in pid 1 2)"},
    {"pid not in (1,2)", "(not-in pid 1 2)"},
    {"pid in 5", "(in pid 5)"},
    {"pid in (1, 10..20)", "(in pid 1 10..20)"},
    {"pid in 7..7", "(in pid 7..7)"},
    {"tx in 1MB/s..2MB/s", "(in tx 1000000..2000000)"},
    {"name in (java, \"python3\", 'sshd')", "(in name \"java\" \"python3\" \"sshd\")"},
    {"name in java", "(in name \"java\")"},
    {"conn.rport in 8000..8100", "(any-conn (in conn.rport 8000..8100))"},
    /* addresses and networks */
    {"conn.raddr in 10.0.0.0/8", "(any-conn (in conn.raddr 10.0.0.0/8))"},
    {"conn.raddr in (::1/128, fe80::/10)", "(any-conn (in conn.raddr ::1 fe80::/10))"},
    {"conn.laddr in 10.1.2.3/8", "(any-conn (in conn.laddr 10.0.0.0/8))"},
    {"conn.laddr in 10.1.2.3/32", "(any-conn (in conn.laddr 10.1.2.3))"},
    {"conn.raddr = 127.0.0.1", "(any-conn (= conn.raddr 127.0.0.1))"},
    {"conn.raddr != 127.0.0.1", "(any-conn (!= conn.raddr 127.0.0.1))"},
    {"conn.raddr = ::ffff:127.0.0.1", "(any-conn (= conn.raddr 127.0.0.1))"},
    {"conn.raddr = \"::1\"", "(any-conn (= conn.raddr ::1))"},
    {"conn.raddr in ::ffff:10.0.0.0/104", "(any-conn (in conn.raddr 10.0.0.0/8))"},
    {"conn.raddr in ::ffff:0:0/96", "(any-conn (in conn.raddr 0.0.0.0/0))"},
    {"conn.raddr in 0.0.0.0/0", "(any-conn (in conn.raddr 0.0.0.0/0))"},
    {"conn.raddr in ::/0", "(any-conn (in conn.raddr ::/0))"},
    {"conn.raddr in 2001:db8::1/33", "(any-conn (in conn.raddr 2001:db8::/33))"},
    {"conn.raddr not in (10.0.0.0/8, 192.168.0.0/16)",
     "(any-conn (not-in conn.raddr 10.0.0.0/8 192.168.0.0/16))"},
    /* units */
    {"tx > 10MB/s", "(> tx 10000000)"},
    {"rx > 1.5Mbit/s", "(> rx 187500)"},
    {"disk_w > 100k", "(> disk_w 100000)"},
    {"tx > 2KiB/s", "(> tx 2048)"},
    {"tx > 1K", "(> tx 1000)"},
    {"tx > 1kB", "(> tx 1000)"},
    {"tx > 1Mi", "(> tx 1048576)"},
    {"tx > 1Gi", "(> tx 1073741824)"},
    {"tx > 1GB", "(> tx 1000000000)"},
    {"tx > 1TB/s", "(> tx 1000000000000)"},
    {"tx > 1Ti", "(> tx 1099511627776)"},
    {"tx > 8b/s", "(> tx 1)"},
    {"tx > 8bit", "(> tx 1)"},
    {"tx > 1Kbit/s", "(> tx 125)"},
    {"tx > 1Mb", "(> tx 125000)"},
    {"tx > 1000/s", "(> tx 1000)"},
    {"tx > 0.5kB", "(> tx 500)"},
    {"tx > 1B/s", "(> tx 1)"},
    {"rss > 2GiB", "(> rss 2147483648)"},
    {"rss > 1.5k", "(> rss 1500)"},
    {"conn.tx > 1MB/s", "(any-conn (> conn.tx 1000000))"},
    {"cpu > 50%", "(> cpu 50)"},
    {"cpu > 50", "(> cpu 50)"},
    {"cpu > 12.5%", "(> cpu 12.5)"},
    {"cpu > 0.1", "(> cpu 0.1)"},
    {"oncpu > 10ms", "(> oncpu 10000000)"},
    {"oncpu > 5us", "(> oncpu 5000)"},
    {"oncpu > 1.5\xc2\xb5s", "(> oncpu 1500)"},
    {"oncpu > 2s", "(> oncpu 2000000000)"},
    {"oncpu > 1min", "(> oncpu 60000000000)"},
    {"oncpu > 1h", "(> oncpu 3600000000000)"},
    {"oncpu > 100ns", "(> oncpu 100)"},
    {"oncpu > 100", "(> oncpu 100)"},
    /* strings */
    {"name = \"a\\\"b\"", "(= name \"a\\\"b\")"},
    {"name = 'it\\'s'", "(= name \"it's\")"},
    {"name = \"x'y\"", "(= name \"x'y\")"},
    {"name = 'x\"y'", "(= name \"x\\\"y\")"},
    {"name = \"tab\\there\\n\"", "(= name \"tab\\there\\n\")"},
    {"name = \"back\\\\slash\"", "(= name \"back\\\\slash\")"},
    {"cmd ~ \"\\.jar$\"", "(~ cmd \"\\\\.jar$\")"},
    {"name = \"\"", "(= name \"\")"},
    {"name = \"a and b\"", "(= name \"a and b\")"},
    {"name = \"and\"", "(= name \"and\")"},
    {"name = java-8.0_x", "(= name \"java-8.0_x\")"},
    {"cgroup = /system.slice/ssh.service", "(= cgroup \"/system.slice/ssh.service\")"},
    {"name = 10.0.0.1", "(= name \"10.0.0.1\")"},
    {"name = caf\xc3\xa9", "(= name \"caf\xc3\xa9\")"},
    {"name = \"\xff\xfe\"", "(= name \"\xff\xfe\")"},
    {"name = \"a\x01z\"", "(= name \"a\\x01z\")"},
    {"cmd ~ a|b", "(~ cmd \"a|b\")"},
    {"cmd ~ \"(((a+b)+c)+d)+[0-9]{1,3}x{2,}\\{(a*)?\"",
     "(~ cmd \"(((a+b)+c)+d)+[0-9]{1,3}x{2,}\\\\{(a*)?\")"},
    /* connection groups: one connection must satisfy a whole group */
    {"conn.lport = 2181 and name = java", "(and (= name \"java\") (any-conn (= conn.lport 2181)))"},
    {"conn.lport = 1 and conn.rport = 2", "(any-conn (and (= conn.lport 1) (= conn.rport 2)))"},
    {"name = java and conn.lport = 1 and conn.rport = 2",
     "(and (= name \"java\") (any-conn (and (= conn.lport 1) (= conn.rport 2))))"},
    {"conn.lport = 1 and name = java and conn.rport = 2",
     "(and (= name \"java\") (any-conn (and (= conn.lport 1) (= conn.rport 2))))"},
    {"(name = java and conn.lport = 1) and conn.rport = 2",
     "(and (= name \"java\") (any-conn (and (= conn.lport 1) (= conn.rport 2))))"},
    {"conn.lport = 1 or conn.rport = 2", "(any-conn (or (= conn.lport 1) (= conn.rport 2)))"},
    {"(conn.lport = 1 or name = x) and conn.rport = 2",
     "(and (any-conn (= conn.rport 2)) (or (= name \"x\") (any-conn (= conn.lport 1))))"},
    {"conn.lport = 1 and (conn.rport = 2 or conn.rport = 3)",
     "(any-conn (and (= conn.lport 1) (or (= conn.rport 2) (= conn.rport 3))))"},
    {"name = a or conn.lport = 1 or pid = 2 or conn.rport = 3",
     "(or (= pid 2) (= name \"a\") (any-conn (or (= conn.lport 1) (= conn.rport 3))))"},
    {"not conn.rport = 22", "(not (any-conn (= conn.rport 22)))"},
    {"conn.rport != 22", "(any-conn (!= conn.rport 22))"},
    {"conn.rport not in (22)", "(any-conn (not-in conn.rport 22))"},
    {"conn.lport = 1 and not conn.rport = 2",
     "(and (not (any-conn (= conn.rport 2))) (any-conn (= conn.lport 1)))"},
    {"not (conn.lport = 1 and conn.rport = 2)",
     "(not (any-conn (and (= conn.lport 1) (= conn.rport 2))))"},
    {"conn.lport = 1 and not not conn.rport = 2",
     "(and (not (not (any-conn (= conn.rport 2)))) (any-conn (= conn.lport 1)))"},
    {"not (name = java and conn.lport = 1)",
     "(not (and (= name \"java\") (any-conn (= conn.lport 1))))"},
};

static void test_parse(void **state)
{
	const struct parse_case *c = *state;
	struct filter *f = compile_ok(c->expr);
	char buf[1024];
	int n = filter_dump(f, buf, sizeof(buf));

	if (strcmp(buf, c->dump))
		fail_msg("'%s'\n   got: %s\n  want: %s", c->expr, buf, c->dump);
	assert_int_equal(n, (int)strlen(c->dump));
	filter_free(f);
}

/* ---- matching ---- */

struct eval_case {
	const char *expr;
	const char *procs; /* names of the matching processes, comma-separated */
	const char *conns; /* labels of the matching connections; NULL: not checked */
};

static const struct eval_case eval_cases[] = {
    /* strings: '=' is exact and case-sensitive, '~' an unanchored ERE */
    {"name = java", "java", "java/0,java/1,java/2"},
    {"name = Java", "", ""},
    {"name = jav", "", NULL},
    {"name != java", "python3,sshd,kworker/0:1,My App",
     "python3/0,python3/1,python3/2,sshd/0,sshd/1,app/0,app/1"},
    {"name = \"My App\"", "My App", "app/0,app/1"},
    {"cmd = 'my app \"quoted\"'", "My App", NULL},
    {"cmd = \"my app \\\"quoted\\\"\"", "My App", NULL},
    {"name ~ ^k", "kworker/0:1", ""},
    {"name ~ \"^(java|python)\"", "java,python3", NULL},
    {"name ~ av", "java", NULL},
    {"name !~ \"^(java|python)\"", "sshd,kworker/0:1,My App", NULL},
    {"cmd ~ \"\\.jar$\"", "java", NULL},
    {"cmd !~ java", "python3,sshd,My App", NULL},
    {"name in (java, sshd, nope)", "java,sshd", NULL},
    {"name not in (java, sshd)", "python3,kworker/0:1,My App", NULL},
    {"state in (R, D)", "python3,My App", NULL},
    {"cgroup ~ \"^/system\\.slice/\"", "java,sshd", NULL},
    {"cgroup = /", "My App", NULL},
    /* numbers */
    {"pid > 200", "sshd,kworker/0:1,My App", NULL},
    {"pid >= 200", "python3,sshd,kworker/0:1,My App", NULL},
    {"pid < 200", "java", NULL},
    {"pid <= 200", "java,python3", NULL},
    {"pid = 300", "sshd", "sshd/0,sshd/1"},
    {"pid != 300", "java,python3,kworker/0:1,My App", NULL},
    {"pid in (100, 300..400)", "java,sshd,kworker/0:1", NULL},
    {"pid not in (100, 300..400)", "python3,My App", NULL},
    {"ppid = 100", "python3", NULL},
    /* units */
    {"cpu > 50%", "java,My App", NULL},
    {"cpu > 50", "java,My App", NULL},
    {"cpu <= 0.5", "sshd,kworker/0:1", NULL},
    {"tx > 10MB/s", "java", NULL},
    {"tx >= 10MB/s", "java,My App", NULL},
    {"tx = 1.5Mbit/s", "python3", NULL},
    {"rx = 2KiB/s", "python3", NULL},
    {"rx = 10Mbit/s", "My App", NULL},
    {"disk_w > 100k", "java", NULL},
    {"disk_w >= 100k", "java,My App", NULL},
    {"disk_r = 4KiB", "python3", NULL},
    {"rss >= 1GiB", "java,My App", NULL},
    {"rss > 1GiB", "java", NULL},
    {"oncpu > 10ms", "java,My App", NULL},
    {"runq > 1ms and runq < 1min", "java,My App", NULL},
    {"retx > 0", "java,My App", NULL},
    /* precedence and keywords */
    {"name = sshd or name = java and pid = 1", "sshd", NULL},
    {"(name = sshd or name = java) and pid = 100", "java", NULL},
    {"not name = java and not name = sshd", "python3,kworker/0:1,My App", NULL},
    {"NOT name = java AND uid = 0", "sshd,kworker/0:1", NULL},
    {"user = app and tx > 1MB/s or name = sshd", "java,sshd", NULL},
    /* unavailable values: never match, not even with '!=' or 'not' */
    {"uid = 0", "sshd,kworker/0:1", NULL},
    {"uid != 0", "java,python3", NULL},
    {"not uid = 0", "java,python3", NULL},
    {"uid not in (0)", "java,python3", NULL},
    {"user != root", "java,python3", NULL},
    {"tx >= 0", "java,python3,sshd,My App", NULL},
    {"not tx >= 0", "", NULL},
    {"cmd ~ \"\"", "java,python3,sshd,My App", NULL},
    {"uid = 0 or name = \"My App\"", "sshd,kworker/0:1,My App", NULL},
    {"uid = 0 and name = \"My App\"", "", NULL},
    {"not (uid = 5 and name = \"My App\")", "java,python3,sshd,kworker/0:1", NULL},
    /* connections: a process matches if one of its connections does */
    {"conn.lport = 2181", "java", "java/0,java/1"},
    {"conn.lport = 2181 and name = java", "java", "java/0,java/1"},
    {"conn.lport IN (2181) AnD NaMe = java", "java", "java/0,java/1"},
    {"conn.lport = 2181 and name = sshd", "", ""},
    {"conn.lport = 2181 and conn.state = LISTEN", "java", "java/0"},
    /* ... and a group must hold for one and the same connection */
    {"conn.lport = 2181 and conn.rport = 8080", "", ""},
    {"conn.lport = 2181 and conn.rport = 45000", "java", "java/1"},
    {"(name = java and conn.lport = 2181) and conn.rport = 8080", "", ""},
    {"conn.lport = 2181 and not not conn.rport = 8080", "java", ""},
    {"conn.lport != 22", "java,python3,My App",
     "java/0,java/1,java/2,python3/0,python3/1,python3/2,app/0,app/1"},
    {"not conn.lport = 22", "java,python3,kworker/0:1,My App",
     "java/0,java/1,java/2,python3/0,python3/1,python3/2,app/0,app/1"},
    {"cpu > 10 and not conn.lport = 2181", "My App", "java/2,app/0,app/1"},
    {"name = java and conn.rport = 8080", "java", "java/2"},
    {"name = java or conn.lport = 22", "java,sshd", "java/0,java/1,java/2,sshd/0,sshd/1"},
    {"cpu > 100 or conn.proto = udp", "python3,My App", "python3/2,app/0,app/1"},
    {"conn.proto = udp", "python3", "python3/2"},
    {"conn.state = ESTABLISHED and conn.tx > 2MB/s", "java,My App", "java/2,app/0"},
    {"conn.rport in 8000..8100", "java,My App", "java/2,app/0"},
    {"conn.lport in (22, 8000)", "python3,sshd", "python3/0,python3/1,sshd/0,sshd/1"},
    /* unavailable connection values */
    {"conn.tx > 0", "java,python3,sshd,My App", "java/1,java/2,python3/1,sshd/0,sshd/1,app/0"},
    {"conn.tx > 0 or conn.rx > 0", "java,python3,sshd,My App",
     "java/1,java/2,python3/1,sshd/0,sshd/1,app/0,app/1"},
    {"not conn.tx >= 0", "kworker/0:1", ""},
    {"conn.tx < 0", "", ""},
    {"not conn.tx < 0", "java,python3,sshd,kworker/0:1",
     "java/0,java/1,java/2,python3/0,python3/1,python3/2,sshd/0,sshd/1,app/0"},
    /* addresses: IPv4, IPv6, IPv4-mapped IPv6 */
    {"conn.raddr in 10.0.0.0/8", "java,My App", "java/1,app/0,app/1"},
    {"conn.raddr in 192.168.0.0/16", "java", "java/2"},
    {"conn.laddr in 10.0.0.0/8", "java,My App", "java/1,java/2,app/0,app/1"},
    {"conn.laddr in 10.1.0.0/16", "java", "java/2"},
    {"conn.laddr = 10.1.2.3", "java", "java/2"},
    {"conn.raddr in ::1/128", "python3", "python3/1"},
    {"conn.raddr = ::1", "python3", "python3/1"},
    {"conn.laddr in fe80::/10", "python3", "python3/2"},
    {"conn.raddr = 127.0.0.1", "sshd", "sshd/1"},
    {"conn.raddr = ::ffff:127.0.0.1", "sshd", "sshd/1"},
    {"conn.raddr in 127.0.0.0/8", "sshd", "sshd/1"},
    {"conn.raddr in ::ffff:0:0/96", "java,sshd,My App", "java/1,java/2,sshd/0,sshd/1,app/0,app/1"},
    {"conn.raddr in ::/0", "java,python3,sshd,My App",
     "java/1,java/2,python3/1,python3/2,sshd/0,sshd/1,app/0,app/1"},
    {"conn.raddr in 0.0.0.0/0", "java,sshd,My App", "java/1,java/2,sshd/0,sshd/1,app/0,app/1"},
    {"conn.raddr != 10.0.0.9", "java,python3,sshd,My App",
     "java/2,python3/1,python3/2,sshd/0,sshd/1,app/0,app/1"},
    {"conn.raddr not in (10.0.0.0/8, 192.168.0.0/16)", "python3,sshd",
     "python3/1,python3/2,sshd/0,sshd/1"},
    {"conn.raddr in (203.0.113.0/24, 2001:db8::/32)", "sshd", "sshd/0"},
    {"conn.laddr in 10.0.0.5/31", "java,My App", "java/1,app/0,app/1"},
    {"conn.laddr in 10.0.0.4/31", "java,My App", "java/1,app/0,app/1"},
    {"conn.laddr in 10.0.0.6/31", "", ""},
};

/* Joins the matching names (or labels) into out, comma-separated. */
static void run_procs(const struct filter *f, char *out, size_t len)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < NPROCS; i++)
		if (filter_match_proc(f, &ops, &procs[i]))
			o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "," : "",
					      procs[i].str[F_NAME]);
}

static void run_conns(const struct filter *f, char *out, size_t len)
{
	size_t i, j, o = 0;

	out[0] = '\0';
	for (i = 0; i < NPROCS; i++)
		for (j = 0; j < procs[i].nconns; j++)
			if (filter_match_conn(f, &ops, &procs[i].conns[j]))
				o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "," : "",
						      procs[i].conns[j].label);
}

static void test_eval(void **state)
{
	const struct eval_case *c = *state;
	struct filter *f = compile_ok(c->expr);
	char got[512];

	run_procs(f, got, sizeof(got));
	if (strcmp(got, c->procs))
		fail_msg("'%s' (processes)\n   got: %s\n  want: %s", c->expr, got, c->procs);
	if (c->conns) {
		run_conns(f, got, sizeof(got));
		if (strcmp(got, c->conns))
			fail_msg("'%s' (connections)\n   got: %s\n  want: %s", c->expr, got,
				 c->conns);
	}
	filter_free(f);
}

/* ---- errors ---- */

struct error_case {
	const char *expr;
	int column;
	const char *msg;
};

static const struct error_case error_cases[] = {
    {"name = java and and pid > 1", 16, "expected a field, found 'and'"},
    {"", 0, "empty expression"},
    {"   ", 0, "empty expression"},
    {"nmae = java", 0, "unknown field 'nmae' (did you mean 'name'?)"},
    {"pdi = 1", 0, "unknown field 'pdi' (did you mean 'pid'?)"},
    {"conn.lprot = 1", 0, "unknown field 'conn.lprot' (did you mean 'conn.lport'?)"},
    {"lport = 1", 0, "unknown field 'lport' (did you mean 'conn.lport'?)"},
    {"xyzzy = 1", 0, "unknown field 'xyzzy'"},
    {"pid = 1 and usr = x", 12, "unknown field 'usr' (did you mean 'user'?)"},
    {"123 = pid", 0, "expected a field, found '123'"},
    {"\"name\" = x", 0, "expected a field, found \"name\""},
    {"na\xc3\xafve = 1", 0, "expected a field, found 'na\xc3\xafve'"},
    {")", 0, "expected a field, found ')'"},
    {"name java", 5, "expected an operator after 'name', found 'java'"},
    {"name", 4, "expected an operator after 'name', found end of input"},
    {"name (", 5, "expected an operator after 'name', found '('"},
    {"name =", 6, "expected a value for 'name', found end of input"},
    {"name = and", 7, "expected a value for 'name', found 'and' (quote it to use it as a word)"},
    {"name = (a)", 7, "expected a value for 'name' (a list needs 'in'), found '('"},
    {"name = ,", 7, "expected a value for 'name', found ','"},
    {"name = = x", 7, "expected a value for 'name', found '='"},
    {"pid not 5", 8, "expected 'in' after 'not', found '5'"},
    {"not", 3, "expected a field, found end of input"},
    {"pid > 1 and", 11, "expected a field, found end of input"},
    {"pid > 1 or or", 11, "expected a field, found 'or'"},
    {"pid > 1 not", 8, "expected 'and', 'or' or end of input, found 'not'"},
    {"pid = 1 name = x", 8, "expected 'and', 'or' or end of input, found 'name'"},
    {"pid = 1 \"x\"", 8, "expected 'and', 'or' or end of input, found \"x\""},
    {"pid = 1)", 7, "unexpected ')' without a matching '('"},
    {"(pid = 1", 8, "missing ')' to close '(' at column 0"},
    {"((pid = 1)", 10, "missing ')' to close '(' at column 0"},
    {"(pid = 1 name = x)", 9, "expected 'and', 'or' or ')', found 'name'"},
    {"()", 1, "expected a field, found ')'"},
    /* lexer */
    {"name = \"java", 7, "unterminated string (missing \")"},
    {"name = 'java", 7, "unterminated string (missing ')"},
    {"name = \"java\\\"", 7, "unterminated string (missing \")"},
    {"name ! java", 5, "unexpected '!' (did you mean '!=', '!~' or 'not'?)"},
    {"name = a\x01z", 8, "unexpected control character \\x01"},
    {"\x7f", 0, "unexpected control character \\x7f"},
    /* types */
    {"pid ~ 1", 4, "operator '~' needs a string field, but 'pid' is a number"},
    {"pid !~ 1", 4, "operator '!~' needs a string field, but 'pid' is a number"},
    {"name > 5", 5, "operator '>' needs a numeric field, but 'name' is a string"},
    {"name <= a", 5, "operator '<=' needs a numeric field, but 'name' is a string"},
    {"conn.raddr < 1.2.3.4", 11,
     "operator '<' does not apply to an address; use =, !=, in or not in"},
    {"conn.raddr ~ x", 11, "operator '~' does not apply to an address; use =, !=, in or not in"},
    {"name in 10.0.0.0/8", 8,
     "a network needs an address field, but 'name' is a string (quote it to match the text)"},
    {"name = ::1/128", 7,
     "a network needs an address field, but 'name' is a string (quote it to match the text)"},
    {"pid = \"1\"", 6, "expected a number for 'pid', found \"1\""},
    {"pid = abc", 6, "expected a number for 'pid', found 'abc'"},
    {"pid = 1.", 7, "'pid' takes a plain number, without a unit such as '.'"},
    {"pid = .5", 6, "expected a number for 'pid', found '.5'"},
    {"pid = 0x10", 7, "'pid' takes a plain number, without a unit such as 'x10'"},
    {"pid > 10MB", 8, "'pid' takes a plain number, without a unit such as 'MB'"},
    {"pid > 5%", 7, "'pid' takes a plain number, without a unit such as '%'"},
    {"rss > 1MB/s", 9, "'/s' needs a rate field, but 'rss' is a size"},
    {"tx > 10XB", 7, "unknown unit 'XB' for 'tx' (use e.g. 100k, 10MB/s, 1.5Mbit/s, 2KiB/s)"},
    {"tx > 10mb", 7, "unknown unit 'mb' for 'tx' (use e.g. 100k, 10MB/s, 1.5Mbit/s, 2KiB/s)"},
    {"tx > 1MB/s/s", 6,
     "unknown unit 'MB/s/s' for 'tx' (use e.g. 100k, 10MB/s, 1.5Mbit/s, 2KiB/s)"},
    {"tx > 1kiB", 6, "unknown unit 'kiB' for 'tx' (use e.g. 100k, 10MB/s, 1.5Mbit/s, 2KiB/s)"},
    {"cpu > 50%%", 8, "unknown unit '%%' for 'cpu' (use e.g. 50 or 50%)"},
    {"cpu > 5MB", 7, "unknown unit 'MB' for 'cpu' (use e.g. 50 or 50%)"},
    {"oncpu > 10m", 10, "unknown unit 'm' for 'oncpu' (use ns, us, ms, s, min or h)"},
    {"oncpu > 10MB", 10, "unknown unit 'MB' for 'oncpu' (use ns, us, ms, s, min or h)"},
    {"pid = 1..5", 6, "a range needs 'in': pid in 1..5"},
    {"pid in 5..1", 7, "empty range: its start is above its end"},
    {"pid in 1..x", 10, "expected a number for 'pid', found 'x'"},
    {"pid in 1..", 10, "expected a number for 'pid', found ''"},
    {"pid in (1, 2..1)", 11, "empty range: its start is above its end"},
    {"pid in ()", 8, "empty list"},
    {"pid in (1,)", 10, "expected a value for 'pid', found ')'"},
    {"pid in (1 2)", 10, "expected ',' or ')' in the list, found '2'"},
    {"pid in (1, 2", 12, "expected ',' or ')' in the list, found end of input"},
    {"pid in", 6, "expected a value for 'pid', found end of input"},
    {"pid in (and)", 8, "expected a value for 'pid', found 'and' (quote it to use it as a word)"},
    /* regexes */
    {"name ~ \"(\"", 7, "invalid regex: Unmatched ( or \\("},
    {"name ~ \"a{2,1}\"", 7, "invalid regex: Invalid content of \\{\\}"},
    {"name ~ \"(a)\\1\"", 7, "back-references (\\1) are not supported"},
    {"name ~ \"a{300}\"", 7, "regex repetition count above 255"},
    {"name ~ \"a++\"", 7, "regex repeats a repetition ('+' after another); use a group"},
    {"name ~ \"a?{2}\"", 7, "regex repeats a repetition ('{' after another); use a group"},
    {"name ~ \"((((a+b)+c)+d)+e)+\"", 7, "regex repetitions nested too deeply (more than 4)"},
    {"name ~ \"(a?)+\"", 7, "regex repeats ('+') something that can match the empty string"},
    {"name ~ \"x(|a){2}\"", 7, "regex repeats ('{') something that can match the empty string"},
    {"name ~ \"(a|b*)*\"", 7, "regex repeats ('*') something that can match the empty string"},
    {"name ~ \"a^*\"", 7, "regex repeats ('*') something that can match the empty string"},
    {"name ~ \"(a{200}){200}\"", 7, "regex too large once repetitions are expanded (limit 1000)"},
    {"name ~ \"(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))\"", 7,
     "regex nested too deeply (more than 32 groups)"},
    /* addresses */
    {"conn.raddr in 10.0.0.0/33", 14, "invalid prefix length '/33' (IPv4 allows 0 to 32)"},
    {"conn.raddr in ::/129", 14, "invalid prefix length '/129' (IPv6 allows 0 to 128)"},
    {"conn.raddr in ::/", 14, "invalid prefix length '/' (IPv6 allows 0 to 128)"},
    {"conn.raddr in ::/1x", 14, "invalid prefix length '/1x' (IPv6 allows 0 to 128)"},
    {"conn.raddr in 10.0.0/8", 14, "invalid address '10.0.0'"},
    {"conn.raddr in (10.0.0.0/8, bogus)", 27, "invalid address 'bogus'"},
    {"conn.raddr = 10.0.0.0/8", 13, "a network needs 'in', not '=' or '!='"},
    {"conn.raddr = localhost", 13, "invalid address 'localhost'"},
    {"conn.raddr = fe80::1%eth0", 13, "invalid address 'fe80::1%eth0'"},
    {"conn.raddr = 1.2.3.4.5", 13, "invalid address '1.2.3.4.5'"},
    {"conn.raddr in /8", 14, "invalid address ''"},
    {"conn.raddr = 1.2.3.4 and", 24, "expected a field, found end of input"},
    /* long input is quoted shortened */
    {"name = java and aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 16,
     "unknown field 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"},
};

static void test_error(void **state)
{
	const struct error_case *c = *state;
	struct filter_error err;
	struct filter *f = filter_compile(c->expr, &schema, &err);

	if (f) {
		filter_free(f);
		fail_msg("'%s' compiled, but should fail with: %s", c->expr, c->msg);
	}
	if (err.column != c->column || strcmp(err.msg, c->msg))
		fail_msg("'%s'\n   got: column %d: %s\n  want: column %d: %s", c->expr, err.column,
			 err.msg, c->column, c->msg);
}

/* ---- error formatting ---- */

static void check_format(const char *expr, int column, const char *msg, const char *want)
{
	struct filter_error e = {.column = column};
	char buf[512];
	int n;

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	n = filter_error_format(expr, &e, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("\n--- got:\n%s\n--- want:\n%s", buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_format(void **state)
{
	struct filter_error err;
	const char *expr = "name = java and and pid > 1";
	struct filter *f;
	char buf[256];

	(void)state;
	f = filter_compile(expr, &schema, &err);
	assert_null(f);
	filter_error_format(expr, &err, buf, sizeof(buf));
	assert_string_equal(buf, "error at column 16: expected a field, found 'and'\n"
				 "name = java and and pid > 1\n"
				 "                ^");
	/* at the end of the input, the caret stands after it */
	check_format("pid >", 5, "m", "error at column 5: m\npid >\n     ^");
	/* no column: no caret */
	check_format("pid", FILTER_NO_COLUMN, "out of memory", "error: out of memory\npid");
	check_format(NULL, 2, "m", "error at column 2: m");
	/* tabs and control characters take one cell each */
	check_format("\tpid\x01 x", 6, "m", "error at column 6: m\n pid? x\n      ^");
	/* a UTF-8 character takes one cell */
	check_format("name = caf\xc3\xa9 and and", 17, "m",
		     "error at column 17: m\nname = caf\xc3\xa9 and and\n                ^");
	/* a column past the end is clamped */
	check_format("ab", 99, "m", "error at column 99: m\nab\n  ^");
}

static void test_format_window(void **state)
{
	char expr[300], want[512], buf[512];
	struct filter_error e = {.column = 150};
	int n;

	(void)state;
	memset(expr, 'a', sizeof(expr) - 1);
	expr[sizeof(expr) - 1] = '\0';
	expr[150] = 'X';
	snprintf(e.msg, sizeof(e.msg), "m");
	filter_error_format(expr, &e, buf, sizeof(buf));
	/* 40 bytes before the column, 80 in all, "..." on the cut sides */
	snprintf(want, sizeof(want), "error at column 150: m\n...%.40sX%.39s...\n%44s", expr, expr,
		 "^");
	assert_string_equal(buf, want);
	/* truncation: the full length is returned, the output ends in a NUL */
	n = filter_error_format(expr, &e, buf, 10);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, "error at ");
	n = filter_error_format(expr, &e, NULL, 0);
	assert_int_equal(n, (int)strlen(want));
	assert_int_equal(filter_error_format(expr, &e, NULL, 5), -1);
	assert_int_equal(filter_error_format(expr, NULL, buf, sizeof(buf)), -1);
}

/* ---- limits ---- */

static void test_limits(void **state)
{
	char *s = malloc(FILTER_MAX_LEN + 64);
	struct filter_error err;
	struct filter *f;
	size_t i, o;

	(void)state;
	assert_non_null(s);
	/* exactly the limit: a quoted name padded to FILTER_MAX_LEN bytes */
	o = (size_t)sprintf(s, "name = \"");
	while (o < FILTER_MAX_LEN - 1)
		s[o++] = 'x';
	s[o++] = '"';
	s[o] = '\0';
	f = filter_compile(s, &schema, &err);
	assert_non_null(f);
	filter_free(f);
	/* one byte more */
	s[o - 1] = 'x';
	s[o++] = '"';
	s[o] = '\0';
	assert_null(filter_compile(s, &schema, &err));
	assert_int_equal(err.column, FILTER_MAX_LEN);
	assert_string_equal(err.msg, "expression too long (more than 4096 bytes)");

	/* nesting: FILTER_MAX_DEPTH parentheses pass, one more fails at its column */
	for (o = 0, i = 0; i < FILTER_MAX_DEPTH; i++)
		s[o++] = '(';
	o += (size_t)sprintf(s + o, "pid = 1");
	for (i = 0; i < FILTER_MAX_DEPTH; i++)
		s[o++] = ')';
	s[o] = '\0';
	f = filter_compile(s, &schema, &err);
	assert_non_null(f);
	assert_true(filter_match_proc(f, &ops, &procs[0]) == false);
	filter_free(f);
	for (o = 0, i = 0; i <= FILTER_MAX_DEPTH; i++)
		s[o++] = '(';
	sprintf(s + o, "pid = 1");
	assert_null(filter_compile(s, &schema, &err));
	assert_int_equal(err.column, FILTER_MAX_DEPTH);
	assert_string_equal(err.msg, "expression nested too deeply (more than 64 levels)");

	/* 'not' counts as a level, and mixes with parentheses */
	for (o = 0, i = 0; i < FILTER_MAX_DEPTH; i++)
		o += (size_t)sprintf(s + o, "not ");
	sprintf(s + o, "pid = 100");
	f = filter_compile(s, &schema, &err);
	assert_non_null(f);
	assert_true(filter_match_proc(f, &ops, &procs[0]));
	filter_free(f);
	sprintf(s + o, "not pid = 100");
	assert_null(filter_compile(s, &schema, &err));
	assert_int_equal(err.column, 4 * FILTER_MAX_DEPTH);
	for (o = 0, i = 0; i < FILTER_MAX_DEPTH / 2; i++)
		o += (size_t)sprintf(s + o, "not (");
	sprintf(s + o, "not pid = 1");
	assert_null(filter_compile(s, &schema, &err));
	assert_string_equal(err.msg, "expression nested too deeply (more than 64 levels)");

	/* a long flat chain is not nesting: it evaluates without deep recursion */
	for (o = 0; o + 16 < FILTER_MAX_LEN;)
		o += (size_t)sprintf(s + o, "%spid = 1", o ? " or " : "");
	f = filter_compile(s, &schema, &err);
	assert_non_null(f);
	assert_false(filter_match_proc(f, &ops, &procs[0]));
	filter_free(f);

	/* a huge number */
	o = (size_t)sprintf(s, "pid > ");
	while (o < 1000)
		s[o++] = '9';
	s[o] = '\0';
	assert_null(filter_compile(s, &schema, &err));
	assert_int_equal(err.column, 6);
	assert_string_equal(err.msg, "number out of range for 'pid'");
	free(s);
}

/* ---- the rest of the API ---- */

static void test_api(void **state)
{
	struct filter_field odd[] = {
	    {NULL, FILTER_NUM, 1, 0},
	    {"bad", (enum filter_vtype)42, 2, 0},
	    {"ok", FILTER_NUM, 3, 0},
	};
	struct filter_schema odd_schema = {odd, 3}, empty = {NULL, 0};
	struct filter_error err;
	struct filter *f;
	char buf[64];

	(void)state;
	filter_free(NULL);
	assert_null(filter_compile(NULL, &schema, &err));
	assert_int_equal(err.column, FILTER_NO_COLUMN);
	assert_null(filter_compile("pid = 1", NULL, &err));
	assert_null(filter_compile("pid = ", &schema, NULL));

	/* a NULL filter matches everything */
	assert_true(filter_match_proc(NULL, &ops, &procs[0]));
	assert_true(filter_match_conn(NULL, &ops, &java_conns[0]));
	assert_false(filter_uses_conns(NULL));
	assert_int_equal(filter_dump(NULL, buf, sizeof(buf)), -1);

	/* a stale error is cleared by a success */
	err.column = 5;
	f = filter_compile("name = java", &schema, &err);
	assert_non_null(f);
	assert_int_equal(err.column, FILTER_NO_COLUMN);
	assert_string_equal(err.msg, "");
	assert_false(filter_uses_conns(f));
	assert_true(filter_uses_field(f, F_NAME));
	assert_false(filter_uses_field(f, F_PID));
	/* dump truncation works like snprintf */
	assert_int_equal(filter_dump(f, buf, 5), 15);
	assert_string_equal(buf, "(= n");
	assert_int_equal(filter_dump(f, NULL, 0), 15);
	assert_int_equal(filter_dump(f, NULL, 1), -1);
	/* NULL ops read as "unavailable": nothing matches, not even the negation */
	assert_false(filter_match_proc(f, NULL, &procs[0]));
	assert_false(filter_match_conn(f, NULL, &java_conns[0]));
	assert_false(filter_match_proc(f, &ops, NULL));
	filter_free(f);

	f = filter_compile("not conn.lport = 2181 and uid = 1000", &schema, &err);
	assert_non_null(f);
	assert_true(filter_uses_conns(f));
	assert_true(filter_uses_field(f, F_C_LPORT));
	assert_true(filter_uses_field(f, F_UID));
	filter_free(f);

	/* the schema: NULL names are skipped, a bad type is reported, no fields at all */
	f = filter_compile("ok = 1", &odd_schema, &err);
	assert_non_null(f);
	filter_free(f);
	assert_null(filter_compile("bad = 1", &odd_schema, &err));
	assert_string_equal(err.msg, "field 'bad' has no valid type in the schema");
	assert_null(filter_compile("name = x", &empty, &err));
	assert_string_equal(err.msg, "unknown field 'name'");
}

static bool nan_num(const void *row, int id, double *out)
{
	(void)row;
	(void)id;
	*out = NAN;
	return true;
}

static bool odd_addr(const void *row, int id, struct filter_addr *out)
{
	(void)row;
	(void)id;
	memset(out, 0, sizeof(*out));
	out->family = AF_UNIX;
	return true;
}

static void test_ops_edge(void **state)
{
	struct filter_ops o = ops;
	struct filter *f;

	(void)state;
	/* a NaN is unavailable too */
	o.num = nan_num;
	f = compile_ok("pid != 1");
	assert_false(filter_match_proc(f, &o, &procs[0]));
	filter_free(f);
	/* an address of an unknown family is unavailable */
	o = ops;
	o.addr = odd_addr;
	f = compile_ok("conn.raddr != 1.2.3.4");
	assert_false(filter_match_proc(f, &o, &procs[0]));
	assert_false(filter_match_conn(f, &o, &java_conns[1]));
	filter_free(f);
	/* no conn_owner: process clauses are unavailable in the connection view */
	o = ops;
	o.conn_owner = NULL;
	f = compile_ok("name != x and conn.lport = 2181");
	assert_false(filter_match_conn(f, &o, &java_conns[0]));
	assert_true(filter_match_proc(f, &o, &procs[0]));
	filter_free(f);
	/* no nconns: a process has no connections */
	o = ops;
	o.nconns = NULL;
	f = compile_ok("not conn.lport = 2181");
	assert_true(filter_match_proc(f, &o, &procs[0]));
	filter_free(f);
	/* a NULL connection row reads as unavailable */
	o = ops;
	o.conn = NULL;
	f = compile_ok("conn.lport = 2181");
	assert_false(filter_match_proc(f, &o, &procs[0]));
	filter_free(f);
	/* a filter is reusable: match twice, same answers */
	f = compile_ok("conn.raddr in 10.0.0.0/8 and name ~ ^j");
	assert_true(filter_match_proc(f, &ops, &procs[0]));
	assert_true(filter_match_proc(f, &ops, &procs[0]));
	assert_false(filter_match_proc(f, &ops, &procs[1]));
	filter_free(f);
}

static void test_helpers(void **state)
{
	struct fnet net, a;
	char msg[160];

	(void)state;
	assert_int_equal(flt_edit_distance("nmae", 4, "name", 4), 1);
	assert_int_equal(flt_edit_distance("kitten", 6, "sitting", 7), 3);
	assert_int_equal(flt_edit_distance("", 0, "abc", 3), 3);
	assert_int_equal(flt_edit_distance("PID", 3, "pid", 3), 0);
	assert_int_equal(flt_edit_distance("ca", 2, "abc", 3), 3);
	assert_true(
	    flt_edit_distance("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			      65, "a", 1) == (size_t)-1);

	assert_int_equal(flt_value_net("10.0.0.0/8", 10, true, &net, msg, sizeof(msg)), 0);
	assert_int_equal(net.prefix, 104);
	assert_int_equal(flt_value_net("10.255.1.2", 10, false, &a, msg, sizeof(msg)), 0);
	assert_true(flt_value_net_contains(&net, &a));
	assert_int_equal(flt_value_net("11.0.0.0", 8, false, &a, msg, sizeof(msg)), 0);
	assert_false(flt_value_net_contains(&net, &a));
	assert_int_equal(flt_value_net("::/0", 4, true, &net, msg, sizeof(msg)), 0);
	assert_true(flt_value_net_contains(&net, &a));
	assert_int_equal(flt_value_net("fe80::/10", 9, true, &net, msg, sizeof(msg)), 0);
	assert_int_equal(flt_value_net("febf::1", 7, false, &a, msg, sizeof(msg)), 0);
	assert_true(flt_value_net_contains(&net, &a));
	assert_int_equal(flt_value_net("fec0::1", 7, false, &a, msg, sizeof(msg)), 0);
	assert_false(flt_value_net_contains(&net, &a));
}

/* ---- running the tables as named tests ---- */

static char *test_name(const char *group, const char *expr)
{
	char *name = malloc(96), *p;

	if (!name)
		abort();
	snprintf(name, 96, "%s: %s", group, expr);
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return name;
}

#define TABLE_TESTS(tests, n, group, func, table)                                    \
	do {                                                                         \
		size_t i_;                                                           \
		for (i_ = 0; i_ < sizeof(table) / sizeof((table)[0]); i_++, (n)++) { \
			(tests)[n].name = test_name(group, (table)[i_].expr);        \
			(tests)[n].test_func = func;                                 \
			(tests)[n].initial_state = (void *)&(table)[i_];             \
		}                                                                    \
	} while (0)

/* The fuzzer's seed corpus is these tables: "test_filter --corpus DIR" writes them out. */
static int write_seed(const char *dir, const char *group, size_t i, const char *expr)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s-%03zu", dir, group, i);
	fp = fopen(path, "w");
	if (!fp || fputs(expr, fp) == EOF || fclose(fp)) {
		perror(path);
		return -1;
	}
	return 0;
}

#define WRITE_SEEDS(dir, group, table, rc)                                    \
	do {                                                                  \
		size_t i_;                                                    \
		for (i_ = 0; i_ < sizeof(table) / sizeof((table)[0]); i_++)   \
			if (write_seed(dir, group, i_, (table)[i_].expr) < 0) \
				rc = 1;                                       \
	} while (0)

static int write_corpus(const char *dir)
{
	int rc = 0;

	WRITE_SEEDS(dir, "parse", parse_cases, rc);
	WRITE_SEEDS(dir, "match", eval_cases, rc);
	WRITE_SEEDS(dir, "error", error_cases, rc);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest api[] = {
	    cmocka_unit_test(test_format),   cmocka_unit_test(test_format_window),
	    cmocka_unit_test(test_limits),   cmocka_unit_test(test_api),
	    cmocka_unit_test(test_ops_edge), cmocka_unit_test(test_helpers),
	};
	size_t napi = sizeof(api) / sizeof(api[0]);
	size_t ntests = napi + sizeof(parse_cases) / sizeof(parse_cases[0]) +
			sizeof(eval_cases) / sizeof(eval_cases[0]) +
			sizeof(error_cases) / sizeof(error_cases[0]);
	struct CMUnitTest *tests;
	size_t n = 0, i;
	int failed;

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	tests = calloc(ntests, sizeof(*tests));
	if (!tests)
		return 1;
	/* One group, so that tests/run.sh reads a single cmocka summary. */
	TABLE_TESTS(tests, n, "parse", test_parse, parse_cases);
	TABLE_TESTS(tests, n, "match", test_eval, eval_cases);
	TABLE_TESTS(tests, n, "error", test_error, error_cases);
	for (i = 0; i < napi; i++)
		tests[n + i] = api[i];
	failed = _cmocka_run_group_tests("filter", tests, n + napi, setup_rows, NULL);
	for (i = 0; i < n; i++)
		free((char *)tests[i].name);
	free(tests);
	return failed ? 1 : 0;
}
