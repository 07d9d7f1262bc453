/*
 * l2tpctl init: first-run setup of a fresh gateway (l2tpctl_init.c).
 */
#ifndef L2TPCTL_INIT_H
#define L2TPCTL_INIT_H

/*
 * Runs "l2tpctl init"; argv[0] is "init", the options follow. Returns the
 * process's exit status: 0 when everything was written, 1 otherwise.
 */
int l2tpctl_init(int argc, char **argv);

#endif
