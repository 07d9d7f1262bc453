/*
 * ppp_pidfiles: the pid files pppd leaves behind when it is killed.
 *
 * Each call's pppd runs with "linkname l2tpsrv-T-S" (ppp_args.c), so it
 * writes RUNDIR/ppp-l2tpsrv-T-S.pid (its pid, then its interface name) and
 * RUNDIR/pppN.pid (its pid), and removes both when it exits. A pppd killed
 * with SIGKILL (with l2tpsrv, by systemd or a watchdog) cannot: at start,
 * l2tpsrv removes the files of ours whose pppd is gone. Another pppd's
 * files, and ours whose pppd still runs, are left alone.
 */
#ifndef L2TPSRV_PPP_PIDFILES_H
#define L2TPSRV_PPP_PIDFILES_H

#define PPP_PIDFILES_DIR "/run"   /* pppd's _PATH_VARRUN */
#define PPP_LINKNAME_PREFIX "l2tpsrv-"

/*
 * Removes the stale files in dir (PPP_PIDFILES_DIR but in tests). Returns
 * how many calls' files it removed, or a negative errno when dir cannot
 * be read. Logs each removal.
 */
int ppp_pidfiles_remove_stale(const char *dir);

#endif
