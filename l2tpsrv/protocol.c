/*
 * protocol: names of RFC 2661's numbers, for logs.
 */
#include <stddef.h>

#include "protocol.h"

static const char *const msg_names[] = {
	[L2TP_MSG_SCCRQ] = "SCCRQ", [L2TP_MSG_SCCRP] = "SCCRP", [L2TP_MSG_SCCCN] = "SCCCN",
	[L2TP_MSG_STOPCCN] = "StopCCN", [L2TP_MSG_HELLO] = "HELLO", [L2TP_MSG_OCRQ] = "OCRQ",
	[L2TP_MSG_OCRP] = "OCRP", [L2TP_MSG_OCCN] = "OCCN", [L2TP_MSG_ICRQ] = "ICRQ",
	[L2TP_MSG_ICRP] = "ICRP", [L2TP_MSG_ICCN] = "ICCN", [L2TP_MSG_CDN] = "CDN",
	[L2TP_MSG_WEN] = "WEN", [L2TP_MSG_SLI] = "SLI",
};

static const char *const avp_names[] = {
	[L2TP_AVP_MESSAGE_TYPE] = "Message Type",
	[L2TP_AVP_RESULT_CODE] = "Result Code",
	[L2TP_AVP_PROTOCOL_VERSION] = "Protocol Version",
	[L2TP_AVP_FRAMING_CAPABILITIES] = "Framing Capabilities",
	[L2TP_AVP_BEARER_CAPABILITIES] = "Bearer Capabilities",
	[L2TP_AVP_TIE_BREAKER] = "Tie Breaker",
	[L2TP_AVP_FIRMWARE_REVISION] = "Firmware Revision",
	[L2TP_AVP_HOST_NAME] = "Host Name",
	[L2TP_AVP_VENDOR_NAME] = "Vendor Name",
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = "Assigned Tunnel ID",
	[L2TP_AVP_RECEIVE_WINDOW_SIZE] = "Receive Window Size",
	[L2TP_AVP_CHALLENGE] = "Challenge",
	[L2TP_AVP_Q931_CAUSE_CODE] = "Q.931 Cause Code",
	[L2TP_AVP_CHALLENGE_RESPONSE] = "Challenge Response",
	[L2TP_AVP_ASSIGNED_SESSION_ID] = "Assigned Session ID",
	[L2TP_AVP_CALL_SERIAL_NUMBER] = "Call Serial Number",
	[L2TP_AVP_MINIMUM_BPS] = "Minimum BPS",
	[L2TP_AVP_MAXIMUM_BPS] = "Maximum BPS",
	[L2TP_AVP_BEARER_TYPE] = "Bearer Type",
	[L2TP_AVP_FRAMING_TYPE] = "Framing Type",
	[L2TP_AVP_CALLED_NUMBER] = "Called Number",
	[L2TP_AVP_CALLING_NUMBER] = "Calling Number",
	[L2TP_AVP_SUB_ADDRESS] = "Sub-Address",
	[L2TP_AVP_TX_CONNECT_SPEED] = "Tx Connect Speed",
	[L2TP_AVP_PHYSICAL_CHANNEL_ID] = "Physical Channel ID",
	[L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ] = "Initial Received LCP CONFREQ",
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = "Last Sent LCP CONFREQ",
	[L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ] = "Last Received LCP CONFREQ",
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = "Proxy Authen Type",
	[L2TP_AVP_PROXY_AUTHEN_NAME] = "Proxy Authen Name",
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = "Proxy Authen Challenge",
	[L2TP_AVP_PROXY_AUTHEN_ID] = "Proxy Authen ID",
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = "Proxy Authen Response",
	[L2TP_AVP_CALL_ERRORS] = "Call Errors",
	[L2TP_AVP_ACCM] = "ACCM",
	[L2TP_AVP_RANDOM_VECTOR] = "Random Vector",
	[L2TP_AVP_PRIVATE_GROUP_ID] = "Private Group ID",
	[L2TP_AVP_RX_CONNECT_SPEED] = "Rx Connect Speed",
	[L2TP_AVP_SEQUENCING_REQUIRED] = "Sequencing Required",
};

const char *l2tp_msg_type_name(unsigned int type)
{
	if (type < sizeof(msg_names) / sizeof(msg_names[0]) && msg_names[type])
		return msg_names[type];
	return "unknown";
}

const char *l2tp_avp_type_name(unsigned int type)
{
	if (type < sizeof(avp_names) / sizeof(avp_names[0]) && avp_names[type])
		return avp_names[type];
	return "unknown";
}
