// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metric and column table shared by every consumer. */
#include <strings.h>
#include "model/fields.h"

#define ID  (FIELD_ASC | FIELD_THREAD)
#define NET (FIELD_SUM | FIELD_THREAD)

const struct field_desc fields[F_NUM] = {
	[F_PID] = {"pid", "PID", "process id (thread id on thread rows)", FT_NUM, UNIT_NONE, 7, ID},
	[F_TGID] = {"tgid", "TGID", "thread group (process) id", FT_NUM, UNIT_NONE, 7, ID},
	[F_PPID] = {"ppid", "PPID", "parent process id", FT_NUM, UNIT_NONE, 7, ID},
	[F_UID] = {"uid", "UID", "real user id", FT_NUM, UNIT_NONE, 6, ID},
	[F_USER] = {"user", "USER", "user name", FT_STR, UNIT_NONE, 9, ID | FIELD_LEFT},
	[F_COMM] = {"name", "NAME", "command name (comm)", FT_STR, UNIT_NONE, 15, ID | FIELD_LEFT},
	[F_CMD] = {"cmd", "COMMAND", "full command line", FT_STR, UNIT_NONE, 0, ID | FIELD_LEFT},
	[F_CGROUP] = {"cgroup", "CGROUP", "cgroup v2 path", FT_STR, UNIT_NONE, 24, ID | FIELD_LEFT},
	[F_STATE] = {"state", "S", "R running, S sleeping, D disk wait, Z zombie, X exited",
		     FT_STR, UNIT_NONE, 1, ID | FIELD_LEFT},
	[F_THREADS] = {"threads", "THR", "number of threads", FT_NUM, UNIT_NONE, 4, FIELD_SUM},

	[F_NET_RATE] = {"net", "NET/s", "bytes sent and received per second", FT_NUM,
			UNIT_BYTES_RATE, 9, NET, NEED_NET},
	[F_TX_RATE] = {"tx", "TX/s", "bytes sent per second (TCP, UDP, other IP)", FT_NUM,
		       UNIT_BYTES_RATE, 9, NET, NEED_NET},
	[F_RX_RATE] = {"rx", "RX/s", "bytes received per second", FT_NUM, UNIT_BYTES_RATE, 9, NET,
		       NEED_NET},
	[F_TX_TOTAL] = {"tx_total", "TX", "bytes sent since ebtop started", FT_NUM, UNIT_BYTES, 9,
			NET, NEED_NET},
	[F_RX_TOTAL] = {"rx_total", "RX", "bytes received since ebtop started", FT_NUM, UNIT_BYTES,
			9, NET, NEED_NET},
	[F_TX_CALLS_RATE] = {"tx_calls", "TXC/s", "send calls per second", FT_NUM, UNIT_RATE, 7,
			     NET, NEED_NET},
	[F_RX_CALLS_RATE] = {"rx_calls", "RXC/s", "receive calls per second", FT_NUM, UNIT_RATE, 7,
			     NET, NEED_NET},
	[F_TCP_TX_RATE] = {"tcp_tx", "TCPTX/s", "TCP bytes sent per second", FT_NUM,
			   UNIT_BYTES_RATE, 9, NET, NEED_NET},
	[F_TCP_RX_RATE] = {"tcp_rx", "TCPRX/s", "TCP bytes received per second", FT_NUM,
			   UNIT_BYTES_RATE, 9, NET, NEED_NET},
	[F_UDP_TX_RATE] = {"udp_tx", "UDPTX/s", "UDP bytes sent per second", FT_NUM,
			   UNIT_BYTES_RATE, 9, NET, NEED_NET},
	[F_UDP_RX_RATE] = {"udp_rx", "UDPRX/s", "UDP bytes received per second", FT_NUM,
			   UNIT_BYTES_RATE, 9, NET, NEED_NET},
	[F_TCP_TX_TOTAL] = {"tcp_tx_total", "TCPTX", "TCP bytes sent", FT_NUM, UNIT_BYTES, 9, NET,
			    NEED_NET},
	[F_TCP_RX_TOTAL] = {"tcp_rx_total", "TCPRX", "TCP bytes received", FT_NUM, UNIT_BYTES, 9,
			    NET, NEED_NET},
	[F_UDP_TX_TOTAL] = {"udp_tx_total", "UDPTX", "UDP bytes sent", FT_NUM, UNIT_BYTES, 9, NET,
			    NEED_NET},
	[F_UDP_RX_TOTAL] = {"udp_rx_total", "UDPRX", "UDP bytes received", FT_NUM, UNIT_BYTES, 9,
			    NET, NEED_NET},
	[F_V6_TX_TOTAL] = {"v6_tx_total", "V6TX", "IPv6 bytes sent", FT_NUM, UNIT_BYTES, 9, NET,
			   NEED_NET},
	[F_V6_RX_TOTAL] = {"v6_rx_total", "V6RX", "IPv6 bytes received", FT_NUM, UNIT_BYTES, 9, NET,
			   NEED_NET},
};

int field_lookup(const char *name)
{
	for (int i = 0; i < F_NUM; i++) {
		if (!fields[i].name)
			continue;
		if (!strcasecmp(name, fields[i].name) || !strcasecmp(name, fields[i].title))
			return i;
	}
	return -1;
}
