// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The terminal's lifecycle: curses on, styles, signals, and a restore on every way out. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "tui/tui_int.h"
/* Last: it defines capability names (lines, columns, ...) as macros. */
#include <term.h>

/*
 * Signal handlers take no context argument, so what they need lives here:
 * the only mutable file-scope state of the interface, written before the
 * handlers are installed and read-only afterwards (except the pipe write).
 */
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_caught;
static struct termios saved_tio;
static bool tio_saved;
static char restore_seq[256];
static size_t restore_len;
static int saved_stderr = -1;
static FILE *captured; /* stderr while curses owns the screen */
static SCREEN *screen;
static bool active;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

/* Async-signal-safe: raw writes and tcsetattr only. */
static void emergency_restore(void)
{
	ssize_t rc;

	if (!active)
		return;
	active = false;
	rc = write(STDOUT_FILENO, restore_seq, restore_len);
	(void)rc;
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (saved_stderr >= 0)
		dup2(saved_stderr, STDERR_FILENO);
}

static void on_fatal(int sig)
{
	emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_quit(int sig)
{
	int saved = errno;
	ssize_t rc;

	sig_caught = sig;
	rc = write(sig_pipe[1], "q", 1);
	(void)rc;
	errno = saved;
}

static void at_exit(void)
{
	tui_term_stop();
}

static void add_seq(const char *cap)
{
	const char *s = tigetstr((char *)cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

/* What endwin() would send, prepared now so a crashing process can send it without curses. */
static void prepare_restore(void)
{
	static const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1006l";

	restore_len = 0;
	memcpy(restore_seq, mouse_off, sizeof(mouse_off) - 1);
	restore_len = sizeof(mouse_off) - 1;
	add_seq("sgr0");
	add_seq("cnorm");
	add_seq("rmkx");
	add_seq("rmcup");
}

/* Library chatter (libbpf, logs) must not scribble over the screen: keep it for later. */
static void capture_stderr(void)
{
	captured = tmpfile();
	if (!captured)
		return;
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(captured), STDERR_FILENO) < 0) {
		fclose(captured);
		captured = NULL;
	}
}

static void release_stderr(void)
{
	char buf[4096];
	size_t n, total = 0;

	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	if (!captured)
		return;
	rewind(captured);
	/* Bounded: a flood of messages should not bury the shell. */
	while (total < (64u << 10) && (n = fread(buf, 1, sizeof(buf), captured)) > 0) {
		fwrite(buf, 1, n, stderr);
		total += n;
	}
	fclose(captured);
	captured = NULL;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_quit;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(quit_signals) / sizeof(quit_signals[0]); i++)
		sigaction(quit_signals[i], &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int tui_term_start(struct tui *t, char *err, size_t errlen)
{
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen,
			 "the interactive view needs a terminal; use -b for batch output");
		return -ENOTTY;
	}
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	setlocale(LC_ALL, "");
	t->fmt.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	tio_saved = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	screen = newterm(term && *term ? term : "xterm", stdout, stdin);
	if (!screen) {
		snprintf(err, errlen, "cannot use terminal type '%s' (is TERM right?)",
			 term ? term : "");
		return -EINVAL;
	}
	set_term(screen);
	prepare_restore();
	active = true;
	atexit(at_exit);
	install_signals();
	capture_stderr();
	cbreak(); /* Ctrl-C stays a signal, so it quits even if the loop were stuck */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* A terminal sends press and release: within the interval that is a CLICKED event. */
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
		      BUTTON5_PRESSED,
		  NULL);
	mouseinterval(200);
	t->can_color = has_colors();
	if (t->can_color) {
		start_color();
		use_default_colors();
	}
	tui_term_styles(t);
	return 0;
}

void tui_term_stop(void)
{
	if (!active)
		return;
	active = false;
	/* Quit signals now end the process the usual way; nothing is left to restore. */
	for (size_t i = 0; i < sizeof(quit_signals) / sizeof(quit_signals[0]); i++)
		signal(quit_signals[i], SIG_DFL);
	mousemask(0, NULL);
	endwin();
	if (screen) {
		delscreen(screen);
		screen = NULL;
	}
	release_stderr();
}

int tui_term_signal_fd(void)
{
	return sig_pipe[0];
}

int tui_term_take_signal(void)
{
	char buf[16];

	while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
		;
	return sig_caught;
}

enum { P_TITLE = 1, P_SEL, P_RED, P_YELLOW, P_CYAN, P_MAGENTA, P_GREEN, P_BLUE, P_ERROR, P_BADGE };

void tui_term_styles(struct tui *t)
{
	attr_t *s = t->style;
	bool color = t->can_color && t->set.color;

	for (int i = 0; i < ST_NUM; i++)
		s[i] = A_NORMAL;
	if (!color) {
		/* Monochrome: weight, underline and reverse carry the same meaning. */
		s[ST_DIM] = A_DIM;
		s[ST_BIG] = A_BOLD;
		s[ST_WARN] = A_UNDERLINE;
		s[ST_HOT] = A_BOLD | A_UNDERLINE;
		s[ST_RETX] = A_BOLD;
		s[ST_TITLE] = A_REVERSE;
		s[ST_TITLE_SORT] = A_REVERSE | A_BOLD | A_UNDERLINE;
		s[ST_SEL] = A_REVERSE | A_BOLD;
		s[ST_LABEL] = A_BOLD;
		s[ST_VALUE] = A_BOLD;
		s[ST_OK] = A_DIM;
		s[ST_ALERT] = A_BOLD;
		s[ST_ERROR] = A_REVERSE | A_BOLD;
		s[ST_KEY] = A_BOLD;
		s[ST_KEYLABEL] = A_REVERSE;
		s[ST_BADGE] = A_REVERSE | A_BOLD;
		return;
	}
	init_pair(P_TITLE, COLOR_BLACK, COLOR_GREEN);
	init_pair(P_SEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_RED, COLOR_RED, -1);
	init_pair(P_YELLOW, COLOR_YELLOW, -1);
	init_pair(P_CYAN, COLOR_CYAN, -1);
	init_pair(P_MAGENTA, COLOR_MAGENTA, -1);
	init_pair(P_GREEN, COLOR_GREEN, -1);
	init_pair(P_BLUE, COLOR_BLUE, -1);
	init_pair(P_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(P_BADGE, COLOR_BLACK, COLOR_YELLOW);
	s[ST_DIM] = A_DIM;
	s[ST_BIG] = COLOR_PAIR(P_CYAN) | A_BOLD;
	s[ST_WARN] = COLOR_PAIR(P_YELLOW) | A_BOLD;
	s[ST_HOT] = COLOR_PAIR(P_RED) | A_BOLD;
	s[ST_RETX] = COLOR_PAIR(P_MAGENTA) | A_BOLD;
	s[ST_TITLE] = COLOR_PAIR(P_TITLE);
	s[ST_TITLE_SORT] = COLOR_PAIR(P_SEL) | A_BOLD;
	s[ST_SEL] = COLOR_PAIR(P_SEL);
	s[ST_LABEL] = COLOR_PAIR(P_CYAN);
	s[ST_VALUE] = A_BOLD;
	s[ST_TX] = COLOR_PAIR(P_GREEN);
	s[ST_RX] = COLOR_PAIR(P_BLUE) | A_BOLD;
	s[ST_CPU] = COLOR_PAIR(P_CYAN);
	s[ST_DISK] = COLOR_PAIR(P_MAGENTA);
	s[ST_OK] = A_DIM;
	s[ST_ALERT] = COLOR_PAIR(P_YELLOW) | A_BOLD;
	s[ST_ERROR] = COLOR_PAIR(P_ERROR) | A_BOLD;
	s[ST_KEY] = A_BOLD;
	s[ST_KEYLABEL] = COLOR_PAIR(P_SEL);
	s[ST_BADGE] = COLOR_PAIR(P_BADGE) | A_BOLD;
}
