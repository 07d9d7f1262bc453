/*
 * pppd: one pppd per call; see pppd.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>
#include <linux/ppp-ioctl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "pppd.h"

/* Exit status of a child that could not exec pppd (as the shell does). */
#define EXIT_CANNOT_EXEC 127

struct pppd {
	pid_t pid;
	bool stopping; /* pppd_stop() was called */
	bool reaped;
	sd_event_source *child;
	sd_event_source *kill_timer;
	pppd_exit_fn on_exit;
	void *userdata;
	int channel; /* our own reference to the PPPoL2TP socket, or -1 */
};

/* An AF_PPPOX socket connected to the kernel session: fd or a negative errno. */
static int open_channel(const struct pppd_channel *call)
{
	struct sockaddr_pppol2tp sa = {
		.sa_family = AF_PPPOX,
		.sa_protocol = PX_PROTO_OL2TP,
		.pppol2tp = {
			.pid = 0,
			.fd = call->tunnel_fd,
			.s_tunnel = call->tunnel_id,
			.s_session = call->session_id,
			.d_tunnel = call->peer_tunnel_id,
			.d_session = call->peer_session_id,
		},
	};
	int fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	int r;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls. The
 * channel (if any) goes to PPPD_CHANNEL_FD without close-on-exec; every
 * other descriptor above stderr is closed (they are close-on-exec
 * anyway); the signal mask and dispositions the daemon set are undone.
 */
static _Noreturn void exec_pppd(int channel, char *const argv[])
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	if (channel < 0) {
		close_range(STDERR_FILENO + 1, ~0U, 0);
	} else if (channel == PPPD_CHANNEL_FD) {
		if (fcntl(channel, F_SETFD, 0) < 0)
			_exit(EXIT_CANNOT_EXEC);
	} else if (dup2(channel, PPPD_CHANNEL_FD) < 0) { /* dup2 clears FD_CLOEXEC */
		_exit(EXIT_CANNOT_EXEC);
	}
	if (channel >= 0)
		close_range(PPPD_CHANNEL_FD + 1, ~0U, 0);
	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, RT gaps */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	_exit(EXIT_CANNOT_EXEC);
}

static struct pppd *release(struct pppd *p)
{
	p->child = sd_event_source_disable_unref(p->child);
	p->kill_timer = sd_event_source_disable_unref(p->kill_timer);
	pppd_release_channel(p);
	free(p);
	return NULL;
}

static int on_child(sd_event_source *source, const siginfo_t *si, void *userdata)
{
	struct pppd *p = userdata;

	p->reaped = true; /* sd-event has waited for it */
	log_msg(LOG_DEBUG, "event=pppd_reaped pid=%d code=%d status=%d", (int)p->pid, si->si_code,
		si->si_status);
	p->kill_timer = sd_event_source_disable_unref(p->kill_timer);
	p->on_exit(p, si->si_code, si->si_status, p->stopping, p->userdata); /* may free p */
	return 0;
}

static int on_kill_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct pppd *p = userdata;

	if (!p->reaped) {
		log_msg(LOG_DEBUG, "event=pppd_sigkill pid=%d", (int)p->pid);
		kill(p->pid, SIGKILL);
	}
	return 0;
}

int pppd_spawn(struct pppd **ret, sd_event *event, const struct pppd_channel *channel,
	       char *const argv[], pppd_exit_fn on_exit, void *userdata)
{
	struct pppd *p = calloc(1, sizeof(*p));
	int fd = -1, r;

	if (!p)
		return -ENOMEM;
	p->on_exit = on_exit;
	p->userdata = userdata;
	p->channel = -1;
	if (channel) {
		fd = open_channel(channel);
		if (fd < 0) {
			free(p);
			return fd;
		}
	}
	p->pid = fork();
	if (p->pid == 0)
		exec_pppd(fd, argv);
	r = p->pid < 0 ? -errno : 0;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		free(p);
		return r;
	}
	p->channel = fd; /* pppd has its own; ours keeps the session's counters readable */
	r = sd_event_add_child(event, &p->child, p->pid, WEXITED, on_child, p);
	if (r < 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		if (p->channel >= 0)
			close(p->channel);
		free(p);
		return r;
	}
	log_msg(LOG_DEBUG, "event=pppd_spawned pid=%d", (int)p->pid);
	*ret = p;
	return 0;
}

pid_t pppd_pid(const struct pppd *p)
{
	return p->pid;
}

int pppd_channel_stats(const struct pppd *p, struct pppd_channel_stats *out)
{
	struct pppol2tp_ioc_stats st;

	if (!p || p->channel < 0)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	if (ioctl(p->channel, PPPIOCGL2TPSTATS, &st) < 0)
		return -errno;
	out->rx_bytes = st.rx_bytes;
	out->rx_packets = st.rx_packets;
	out->tx_bytes = st.tx_bytes;
	out->tx_packets = st.tx_packets;
	return 0;
}

void pppd_release_channel(struct pppd *p)
{
	if (p && p->channel >= 0) {
		close(p->channel);
		p->channel = -1;
	}
}

void pppd_stop(struct pppd *p)
{
	int r;

	if (!p || p->reaped || p->stopping)
		return;
	p->stopping = true;
	kill(p->pid, SIGTERM);
	r = sd_event_add_time_relative(sd_event_source_get_event(p->child), &p->kill_timer,
				       CLOCK_MONOTONIC, PPPD_KILL_GRACE_USEC, 0, on_kill_timer, p);
	if (r < 0) { /* no grace then */
		log_msg(LOG_DEBUG, "event=pppd_sigkill pid=%d error=\"%s\"", (int)p->pid,
			strerror(-r));
		kill(p->pid, SIGKILL);
	}
}

struct pppd *pppd_free(struct pppd *p)
{
	if (!p)
		return NULL;
	if (!p->reaped)
		kill(p->pid, SIGTERM); /* no longer watched: the daemon is going */
	return release(p);
}
