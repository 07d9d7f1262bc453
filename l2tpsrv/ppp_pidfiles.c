/*
 * ppp_pidfiles: removes the pid files of our pppds that were killed; see
 * ppp_pidfiles.h.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "ppp_pidfiles.h"

/*
 * Reads "PID\n[IFNAME\n]" from dir/name: pid > 0, ifname "" when absent.
 * False when the file is not of that form (then it is left alone).
 */
static bool read_pidfile(const char *dir, const char *name, pid_t *pid, char *ifname,
			 size_t ifname_len)
{
	char path[4096], buf[128], *end;
	size_t n;
	long v;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end != '\n' || v <= 0 || v > INT32_MAX)
		return false;
	*pid = (pid_t)v;
	ifname[0] = '\0';
	end++;
	n = strcspn(end, "\n");
	if (n > 0 && n < ifname_len && end[n] == '\n' && !strchr(end, '/')) {
		memcpy(ifname, end, n);
		ifname[n] = '\0';
	}
	return true;
}

static bool gone(pid_t pid)
{
	return kill(pid, 0) < 0 && errno == ESRCH;
}

static void remove_file(const char *dir, const char *name)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path))
		unlink(path);
}

int ppp_pidfiles_remove_stale(const char *dir)
{
	static const char prefix[] = "ppp-" PPP_LINKNAME_PREFIX;
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char ifname[32], ifpid[48];
		pid_t pid, other;

		if (strncmp(e->d_name, prefix, sizeof(prefix) - 1) ||
		    len < sizeof(prefix) + 4 || strcmp(e->d_name + len - 4, ".pid"))
			continue;
		if (!read_pidfile(dir, e->d_name, &pid, ifname, sizeof(ifname)) || !gone(pid))
			continue;
		/* The interface's file, if it is that pppd's too. */
		if (ifname[0] && (size_t)snprintf(ifpid, sizeof(ifpid), "%s.pid", ifname) < sizeof(ifpid)) {
			char unused[32];

			if (read_pidfile(dir, ifpid, &other, unused, sizeof(unused)) && other == pid)
				remove_file(dir, ifpid);
		}
		remove_file(dir, e->d_name);
		log_msg(LOG_NOTICE, "event=stale_pidfile_removed file=%s/%s pid=%d interface=%s", dir,
			e->d_name, (int)pid, ifname[0] ? ifname : "-");
		removed++;
	}
	closedir(d);
	return removed;
}
