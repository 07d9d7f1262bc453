/*
 * Bus listener of the l2tpsrv plugin, see l2tpsrv_listener.h.
 */
#include "l2tpsrv_listener.h"

#include <daemon.h>

typedef struct private_l2tpsrv_listener_t private_l2tpsrv_listener_t;

struct private_l2tpsrv_listener_t {

	/**
	 * public interface
	 */
	l2tpsrv_listener_t public;
};

METHOD(listener_t, ike_updown, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	DBG1(DBG_CFG, "l2tpsrv: event=ike_%s ike=%u peer=%#H id=%Y children=%d",
		 up ? "up" : "down", ike_sa->get_unique_id(ike_sa),
		 ike_sa->get_other_host(ike_sa), ike_sa->get_other_id(ike_sa),
		 ike_sa->get_child_count(ike_sa));
	return TRUE;
}

METHOD(listener_t, child_updown, bool,
	private_l2tpsrv_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	DBG1(DBG_CFG, "l2tpsrv: event=child_%s ike=%u child=%s reqid=%u "
		 "mode=%N spi_in=%.8x spi_out=%.8x peer=%#H children=%d",
		 up ? "up" : "down", ike_sa->get_unique_id(ike_sa),
		 child_sa->get_name(child_sa), child_sa->get_reqid(child_sa),
		 ipsec_mode_names, child_sa->get_mode(child_sa),
		 ntohl(child_sa->get_spi(child_sa, TRUE)),
		 ntohl(child_sa->get_spi(child_sa, FALSE)),
		 ike_sa->get_other_host(ike_sa), ike_sa->get_child_count(ike_sa));
	return TRUE;
}

METHOD(l2tpsrv_listener_t, destroy, void,
	private_l2tpsrv_listener_t *this)
{
	free(this);
}

/*
 * See header
 */
l2tpsrv_listener_t *l2tpsrv_listener_create()
{
	private_l2tpsrv_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.child_updown = _child_updown,
			},
			.destroy = _destroy,
		},
	);
	return &this->public;
}
