/*
 * l2tpctl add-user: another PPP user on a gateway set up already
 * (l2tpctl_add_user.c).
 */
#ifndef L2TPCTL_ADD_USER_H
#define L2TPCTL_ADD_USER_H

/*
 * Runs "l2tpctl add-user"; argv[0] is "add-user", NAME and the options
 * follow. Returns the process's exit status: 0 when the user was written,
 * 1 otherwise.
 */
int l2tpctl_add_user(int argc, char **argv);

#endif
