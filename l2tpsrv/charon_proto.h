/*
 * charon_proto: what our charon plugin (charon-plugin/) tells l2tpsrv
 * about IPsec, and what l2tpsrv asks of it; shared by both ends.
 *
 * l2tpsrv listens on a unix SOCK_SEQPACKET socket (mode 0600, root only;
 * it checks SO_PEERCRED). The plugin connects, and reconnects by itself
 * whenever the connection is lost. Each record is one message of at most
 * CHARON_MSG_MAX bytes, printable text:
 *
 *   EVENT KEY=VALUE KEY=VALUE ...
 *
 * separated by single spaces. A VALUE has every byte outside 0x21..0x7e,
 * and every '%', written as %XX (two upper-case hex digits); nothing else
 * is escaped, so a VALUE may hold '='. Unknown keys are ignored, so either
 * end may add some; an unknown EVENT is logged and ignored.
 *
 * On every connection the plugin first sends
 *   hello proto=1 version=PLUGIN_VERSION charon=STRONGSWAN_VERSION requests=1
 *   sync-begin
 * then a child-up for every CHILD_SA that counts (see below) of every IKE
 * SA charon has, then
 *   sync-end
 * and after that the events as they happen. What l2tpsrv knew from before
 * sync-begin and was not announced again by sync-end is gone.
 *
 * Events (IKE = the IKE fields, CHILD = the CHILD fields below):
 *   ike-up ike=U IKE           an IKE SA is established (no L2TP yet)
 *   ike-down ike=U             the IKE SA and all its CHILD_SAs are gone
 *   ike-update ike=U IKE       its addresses, ports or NAT state changed
 *   ike-rekey ike=OLD new=U IKE
 *                              IKEv2: U replaces OLD and takes its CHILD_SAs
 *   child-up ike=U child=C IKE CHILD
 *                              a CHILD_SA that counts is installed
 *   child-down ike=U child=C   a CHILD_SA is gone (may be one that did not count)
 *   child-rekey ike=U child=OLD new=C IKE CHILD
 *                              C replaces OLD (new SPIs)
 *   child-migrate ike=U child=C IKE
 *                              an existing CHILD_SA C now belongs to IKE SA
 *                              U (IKEv1 reauthentication adopts them)
 *   ike-fail [ike=U] alert=NAME [exchange=NAME] [encrypted=0|1]
 *            [notify=NAME] IKE
 *                              a negotiation with the peer failed (U: the
 *                              IKE SA it was for, often one never up). IKE
 *                              has at least ikev, remote and remote-port.
 *                              Any stranger can cause these: the plugin
 *                              drops them while its queue is half full,
 *                              and no sync repeats them. For l2tpctl
 *                              diagnose (l2tpsrv's history.h).
 *
 * ike-fail's alert NAMEs (charon 5.9.8's alert_t, bus.h, and the IKEv1
 * error notifies charon sends without an alert):
 *   auth-failed        ALERT_PEER_AUTH_FAILED: the peer's authentication
 *                      failed here (pre-shared key, certificate)
 *   local-auth-failed  ALERT_LOCAL_AUTH_FAILED: ours did (no key or
 *                      certificate for it here, or the peer refused it)
 *   proposal-ike       ALERT_PROPOSAL_MISMATCH_IKE; IKEv1: the
 *                      NO_PROPOSAL_CHOSEN we send before the IKE SA is up
 *                      (Main Mode)
 *   key-failed         IKEv1: the INVALID_KEY_INFORMATION Main Mode sends
 *                      when it cannot derive the keys, mostly for want of
 *                      a pre-shared key for the peer
 *   proposal-child     ALERT_PROPOSAL_MISMATCH_CHILD; IKEv1: the
 *                      NO_PROPOSAL_CHOSEN or INVALID_KEY_INFORMATION (PFS)
 *                      we send once it is up (Quick Mode)
 *   ts-mismatch        ALERT_TS_MISMATCH; IKEv1: the INVALID_ID_INFORMATION
 *                      Quick Mode sends for "no matching CHILD_SA config"
 *   timeout            ALERT_HALF_OPEN_TIMEOUT, ALERT_PEER_INIT_UNREACHABLE,
 *                      ALERT_RETRANSMIT_SEND_TIMEOUT before the IKE SA is
 *                      up: the peer stopped answering (behind a NAT, see
 *                      nat-local/nat-remote: Windows' error 809)
 *   dpd-timeout        ALERT_RETRANSMIT_SEND_TIMEOUT on an established IKE
 *                      SA: the peer vanished
 *   parse-error        ALERT_PARSE_ERROR_HEADER, ALERT_PARSE_ERROR_BODY,
 *                      with exchange= and, IKEv1, encrypted=: an encrypted
 *                      Main Mode message that does not parse was mostly
 *                      decrypted with the wrong key: a PSK mismatch (see
 *                      charon-plugin/l2tpsrv_ike_fail.c)
 *   cert-expired, cert-revoked, cert-untrusted (ALERT_CERT_NO_ISSUER,
 *   ALERT_CERT_UNTRUSTED_ROOT), cert-invalid (ALERT_CERT_VALIDATION_FAILED,
 *   _EXCEEDED_PATH_LEN, _POLICY_VIOLATION)
 *                      the peer's certificate was refused
 *   authorization-failed  ALERT_AUTHORIZATION_FAILED
 *   install-failed     ALERT_INSTALL_CHILD_SA_FAILED, _POLICY_FAILED: the
 *                      kernel refused the CHILD_SA
 *   peer-notify        IKEv1: the peer sent an error notify (notify=NAME)
 * exchange NAMEs: main-mode aggressive-mode quick-mode informational
 * ike-sa-init ike-auth create-child-sa other; notify NAMEs are charon's
 * (NO_PROPOSAL_CHOSEN, ...).
 *
 * IKE fields:
 *   ikev=1|2
 *   local=ADDRESS local-port=N        our end of the IKE SA
 *   remote=ADDRESS remote-port=N      the peer's outer address and port, as
 *                                     seen here (the NAT's when NATed)
 *   nat-local=0|1 nat-remote=0|1      NAT-T: we / the peer are behind a NAT
 *   remote-id=ID                      the peer's IKE identity
 *   eap-id=ID                         its EAP identity, when it has one
 *   xauth-id=ID                       its XAuth user name, when it has one
 *   cert=SUBJECT                      its certificate's subject DN, if any
 * CHILD fields:
 *   name=NAME mode=transport|tunnel reqid=N
 *   spi-in=HEX spi-out=HEX            8 hex digits each, network order
 *   mark-in=VALUE/MASK mark-out=VALUE/MASK   (hex, 0/0 for none)
 *   remote-ports=LOW-HIGH             the UDP source ports the peer's
 *                                     traffic selectors allow for L2TP
 *
 * A CHILD_SA counts when it is in transport mode (unless the plugin's
 * transport_only setting is off) and its traffic selectors cover UDP port
 * 1701 (the plugin's l2tp_port) at our end and UDP at the peer's.
 *
 * Requests, l2tpsrv to plugin, in the same format on the same connection.
 * A plugin that takes them says requests=1 in its hello (older ones say
 * nothing); l2tpsrv sends them only after such a hello. The plugin answers
 * nothing on the wire: the events a request brings about are the answer.
 * It logs and ignores a request it does not know or cannot parse.
 *   terminate-ike ike=U reason=TEXT
 *                              delete IKE SA U and its CHILD_SAs (the
 *                              peer is told); ike-down ike=U follows.
 *                              TEXT goes to charon's log, shortened to 255
 *                              bytes and with non-printable bytes as '?'.
 */
#ifndef L2TPSRV_CHARON_PROTO_H
#define L2TPSRV_CHARON_PROTO_H

#define CHARON_PROTO_VERSION 1
#define CHARON_DEFAULT_SOCKET "/run/l2tpsrv/charon.sock"
#define CHARON_MSG_MAX 4096

#endif
