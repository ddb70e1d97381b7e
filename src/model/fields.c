// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metric and column table shared by every consumer. */
#include <strings.h>
#include "model/fields.h"

#define ID  (FIELD_ASC | FIELD_THREAD)
#define NET (FIELD_SUM | FIELD_THREAD)
#define DSK (FIELD_SUM | FIELD_THREAD)

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

	/* disk and file I/O */
	[F_DISK_R_RATE] = {"disk_r", "DISK-R/s", "block bytes read per second", FT_NUM, UNIT_BYTES_RATE,
		       9, DSK, NEED_DISK},
	[F_DISK_W_RATE] = {"disk_w", "DISK-W/s",
		       "block bytes written per second (write-back credited to the dirtier)",
		       FT_NUM, UNIT_BYTES_RATE, 9, DSK, NEED_DISK},
	[F_R_IOPS] = {"r_iops", "R-IOPS", "block read requests per second", FT_NUM, UNIT_RATE, 7, DSK,
		  NEED_DISK},
	[F_W_IOPS] = {"w_iops", "W-IOPS", "block write requests per second", FT_NUM, UNIT_RATE, 7, DSK,
		  NEED_DISK},
	[F_IO_LAT] = {"io_lat", "IO-LAT", "mean block request latency, queue and device", FT_NUM,
		  UNIT_NS, 8, 0, NEED_DISK},
	[F_IO_LAT_P99] = {"io_lat_p99", "LAT-P99", "99th percentile of block request latency", FT_NUM,
		      UNIT_NS, 8, 0, NEED_DISK},
	[F_SEQ_PCT] = {"seq", "SEQ%", "share of block requests that continue the previous one", FT_NUM,
		   UNIT_PERCENT, 5, FIELD_THREAD, NEED_DISK},
	[F_CACHE_PCT] = {"cache", "CACHE%", "share of file reads served without block reads", FT_NUM,
		     UNIT_PERCENT, 6, FIELD_THREAD, NEED_DISK},
	[F_IO_LAT_MIN] = {"io_lat_min", "LAT-MIN", "shortest block request latency", FT_NUM, UNIT_NS, 8,
		      0, NEED_DISK},
	[F_IO_LAT_P50] = {"io_lat_p50", "LAT-P50", "median block request latency", FT_NUM, UNIT_NS, 8,
		      0, NEED_DISK},
	[F_IO_LAT_MAX] = {"io_lat_max", "LAT-MAX", "longest block request latency", FT_NUM, UNIT_NS, 8,
		      0, NEED_DISK},
	[F_IO_SVC] = {"io_svc", "SVC", "mean device time of block requests (issue to completion)",
		  FT_NUM, UNIT_NS, 8, 0, NEED_DISK},
	[F_IO_SVC_MIN] = {"io_svc_min", "SVC-MIN", "shortest device time", FT_NUM, UNIT_NS, 8, 0,
		      NEED_DISK},
	[F_IO_SVC_P50] = {"io_svc_p50", "SVC-P50", "median device time", FT_NUM, UNIT_NS, 8, 0,
		      NEED_DISK},
	[F_IO_SVC_P99] = {"io_svc_p99", "SVC-P99", "99th percentile of device time", FT_NUM, UNIT_NS, 8,
		      0, NEED_DISK},
	[F_IO_SVC_MAX] = {"io_svc_max", "SVC-MAX", "longest device time", FT_NUM, UNIT_NS, 8, 0,
		      NEED_DISK},
	[F_DISK_R_TOTAL] = {"disk_r_total", "DISK-R", "block bytes read since ebtop started", FT_NUM,
			UNIT_BYTES, 9, DSK, NEED_DISK},
	[F_DISK_W_TOTAL] = {"disk_w_total", "DISK-W", "block bytes written since ebtop started", FT_NUM,
			UNIT_BYTES, 9, DSK, NEED_DISK},
	[F_R_IOS_TOTAL] = {"r_ios_total", "R-IOS", "block read requests since ebtop started", FT_NUM,
		       UNIT_COUNT, 7, DSK, NEED_DISK},
	[F_W_IOS_TOTAL] = {"w_ios_total", "W-IOS", "block write requests since ebtop started", FT_NUM,
		       UNIT_COUNT, 7, DSK, NEED_DISK},
	[F_FILE_R_RATE] = {"file_r", "FILE-R/s",
		       "bytes read per second by read() calls, network sockets excluded", FT_NUM,
		       UNIT_BYTES_RATE, 9, DSK, NEED_DISK},
	[F_FILE_W_RATE] = {"file_w", "FILE-W/s",
		       "bytes written per second by write() calls, network sockets excluded",
		       FT_NUM, UNIT_BYTES_RATE, 9, DSK, NEED_DISK},
	[F_FILE_R_TOTAL] = {"file_r_total", "FILE-R", "file bytes read since ebtop started", FT_NUM,
			UNIT_BYTES, 9, DSK, NEED_DISK},
	[F_FILE_W_TOTAL] = {"file_w_total", "FILE-W", "file bytes written since ebtop started", FT_NUM,
			UNIT_BYTES, 9, DSK, NEED_DISK},
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
