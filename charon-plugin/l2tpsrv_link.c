/*
 * The link to l2tpsrv, see l2tpsrv_link.h.
 *
 * One thread owns the socket, both ways. It waits in poll() only, on the
 * socket and on an eventfd that push() and destroy() signal; poll() is also
 * the only place where it can be cancelled, so it never holds a lock, an
 * IKE_SA or a half-written log line when it goes. (A condvar cannot wake a
 * poll(), and the thread must poll the socket while idle anyway: to see
 * l2tpsrv go away, so that it reconnects and replays at once rather than at
 * the next event, and to read its requests. Reading there too needs no
 * second thread and no lock on the socket; a request only queues a job, so
 * sending is never held up for long.)
 */
#include "l2tpsrv_link.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <collections/linked_list.h>
#include <threading/mutex.h>
#include <threading/thread.h>

typedef struct private_l2tpsrv_link_t private_l2tpsrv_link_t;

/**
 * What the link does with pushed records.
 */
typedef enum {
	/** no connection: drop them, the next replay covers them */
	LINK_DOWN,
	/** connected: queue them */
	LINK_UP,
	/** the queue overflowed: drop them until the thread reconnects */
	LINK_OVERFLOWED,
} link_state_t;

/**
 * Why the thread left a connection.
 */
typedef enum {
	DRAIN_LOST,
	DRAIN_OVERFLOWED,
	DRAIN_STOPPED,
} drain_result_t;

/**
 * A queued record.
 */
typedef struct {
	size_t len;
	char data[];
} record_t;

struct private_l2tpsrv_link_t {

	/**
	 * public interface
	 */
	l2tpsrv_link_t public;

	/**
	 * l2tpsrv's socket
	 */
	char *path;

	/**
	 * wait between connection attempts, ms
	 */
	u_int reconnect_ms;

	/**
	 * queued records that make the link reconnect
	 */
	u_int queue_limit;

	/**
	 * replay and receive callbacks, and their argument
	 */
	l2tpsrv_link_replay_t replay;
	l2tpsrv_link_receive_t receive;
	void *data;

	/**
	 * protects queue, state, replaying, stopping
	 */
	mutex_t *mutex;

	/**
	 * record_t*, oldest first
	 */
	linked_list_t *queue;

	/**
	 * what push() does
	 */
	link_state_t state;

	/**
	 * the thread is replaying: queue_limit does not apply
	 */
	bool replaying;

	/**
	 * destroy() asks the thread to end
	 */
	bool stopping;

	/**
	 * wakes the thread: records queued, or stopping
	 */
	int wakefd;

	/**
	 * connected socket, -1 if none (used by the thread only, and by
	 * destroy() after joining it)
	 */
	int fd;

	/**
	 * the sender thread, NULL before start()
	 */
	thread_t *thread;
};

/**
 * Wake the thread. Never blocks (EFD_NONBLOCK); a full counter still wakes.
 */
static void wake(private_l2tpsrv_link_t *this)
{
	uint64_t one = 1;

	if (write(this->wakefd, &one, sizeof(one)) < 0)
	{
		/* EAGAIN: the counter is full, so a wakeup is pending anyway */
	}
}

/**
 * Consume pending wakeups.
 */
static void unwake(private_l2tpsrv_link_t *this)
{
	uint64_t count;

	if (read(this->wakefd, &count, sizeof(count)) < 0)
	{
		/* EAGAIN: none pending */
	}
}

/**
 * Drop all queued records. Call with the mutex held.
 */
static void flush_queue(private_l2tpsrv_link_t *this)
{
	record_t *record;

	while (this->queue->remove_first(this->queue, (void**)&record) == SUCCESS)
	{
		free(record);
	}
}

/**
 * Queue a record. Call with the mutex held and state LINK_UP.
 */
static void enqueue(private_l2tpsrv_link_t *this, l2tpsrv_msg_t *msg)
{
	record_t *record;
	size_t len = l2tpsrv_msg_len(msg);

	if (!len)
	{	/* a record that was never started */
		return;
	}
	if (!this->replaying &&
		this->queue->get_count(this->queue) >= this->queue_limit)
	{	/* l2tpsrv is not reading: start over; the thread logs it */
		flush_queue(this);
		this->state = LINK_OVERFLOWED;
		wake(this);
		return;
	}
	record = malloc(sizeof(*record) + len);
	record->len = len;
	memcpy(record->data, l2tpsrv_msg_data(msg), len);
	this->queue->insert_last(this->queue, record);
	if (this->queue->get_count(this->queue) == 1)
	{
		wake(this);
	}
}

METHOD(l2tpsrv_link_t, push, void,
	private_l2tpsrv_link_t *this, l2tpsrv_msg_t *msg)
{
	this->mutex->lock(this->mutex);
	if (this->state == LINK_UP)
	{
		enqueue(this, msg);
	}
	this->mutex->unlock(this->mutex);
}

METHOD(l2tpsrv_link_t, push_optional, bool,
	private_l2tpsrv_link_t *this, l2tpsrv_msg_t *msg)
{
	bool queued = FALSE;

	this->mutex->lock(this->mutex);
	if (this->state == LINK_UP &&
		this->queue->get_count(this->queue) < this->queue_limit / 2)
	{
		enqueue(this, msg);
		queued = TRUE;
	}
	this->mutex->unlock(this->mutex);
	return queued;
}

/**
 * Has destroy() asked the thread to end?
 */
static bool is_stopping(private_l2tpsrv_link_t *this)
{
	bool stopping;

	this->mutex->lock(this->mutex);
	stopping = this->stopping;
	this->mutex->unlock(this->mutex);
	return stopping;
}

/**
 * poll(), the thread's one cancellation point.
 */
static int poll_cancellable(struct pollfd *fds, nfds_t count, int timeout)
{
	bool old;
	int ret;

	old = thread_cancelability(TRUE);
	ret = poll(fds, count, timeout);
	thread_cancelability(old);
	return ret;
}

/**
 * Wait reconnect_ms, or less if woken.
 */
static void wait_reconnect(private_l2tpsrv_link_t *this)
{
	struct pollfd pfd = {
		.fd = this->wakefd,
		.events = POLLIN,
	};

	if (poll_cancellable(&pfd, 1, this->reconnect_ms) > 0)
	{
		unwake(this);
	}
}

/**
 * Connect to l2tpsrv's socket.
 *
 * @return		socket, or a negative errno value
 */
static int connect_socket(char *path)
{
	struct sockaddr_un addr = {
		.sun_family = AF_UNIX,
	};
	int fd, err;

	if (strlen(path) >= sizeof(addr.sun_path))
	{
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
	{
		return -errno;
	}
	/* a unix socket connects at once or fails (EAGAIN: backlog full) */
	if (connect(fd, (struct sockaddr*)&addr, sizeof(addr)) < 0)
	{
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/**
 * Queue hello, sync-begin, the replay and sync-end.
 *
 * @return		number of CHILD_SAs replayed
 */
static u_int start_session(private_l2tpsrv_link_t *this)
{
	l2tpsrv_msg_t hello, begin, end;
	u_int children = 0;

	l2tpsrv_msg_init(&hello, "hello");
	l2tpsrv_msg_add_uint(&hello, "proto", CHARON_PROTO_VERSION);
	l2tpsrv_msg_add(&hello, "version", L2TPSRV_VERSION);
	l2tpsrv_msg_add(&hello, "charon", STRONGSWAN_HEADERS_VERSION);
	l2tpsrv_msg_add_uint(&hello, "requests", 1);
	l2tpsrv_msg_init(&begin, "sync-begin");
	l2tpsrv_msg_init(&end, "sync-end");

	/* from here on, records pushed by listeners follow ours */
	this->mutex->lock(this->mutex);
	flush_queue(this);
	this->state = LINK_UP;
	this->replaying = TRUE;
	enqueue(this, &hello);
	enqueue(this, &begin);
	this->mutex->unlock(this->mutex);

	if (this->replay)
	{
		children = this->replay(this->data);
	}

	this->mutex->lock(this->mutex);
	enqueue(this, &end);
	this->replaying = FALSE;
	this->mutex->unlock(this->mutex);
	return children;
}

/**
 * Read a record l2tpsrv sent, if any, and hand it to the receive callback;
 * see if l2tpsrv hung up (after what it sent before).
 *
 * @return		FALSE if the connection is gone
 */
static bool check_input(private_l2tpsrv_link_t *this, short revents)
{
	char buf[CHARON_MSG_MAX];
	ssize_t len;

	if (revents & (POLLERR | POLLNVAL))
	{
		return FALSE;
	}
	if (!(revents & (POLLIN | POLLHUP)))
	{
		return TRUE;
	}
	/* MSG_TRUNC: the record's full length, to refuse an oversized one */
	len = recv(this->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (len == 0)
	{
		return FALSE;
	}
	if (len < 0)
	{
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	}
	if ((size_t)len > sizeof(buf))
	{
		DBG1(DBG_CFG, "l2tpsrv: ignored a record of %zd bytes from %s", len,
			 this->path);
		return TRUE;
	}
	this->receive(this->data, buf, len);
	return TRUE;
}

/**
 * Send one record without blocking.
 *
 * @return		1 if sent, 0 if the socket is full, -1 if the
 *				connection is gone
 */
static int send_record(private_l2tpsrv_link_t *this, record_t *record)
{
	if (send(this->fd, record->data, record->len,
			 MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
	{
		return 1;
	}
	switch (errno)
	{
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
		case EINTR:
		case ENOBUFS:
			return 0;
		default:
			DBG2(DBG_CFG, "l2tpsrv: sending to %s failed: %s", this->path,
				 strerror(errno));
			return -1;
	}
}

/**
 * Send queued records until the connection ends.
 */
static drain_result_t drain(private_l2tpsrv_link_t *this)
{
	struct pollfd pfd[2];
	record_t *record;
	bool blocked = FALSE;
	int sent;

	while (TRUE)
	{
		this->mutex->lock(this->mutex);
		if (this->state == LINK_OVERFLOWED)
		{
			this->mutex->unlock(this->mutex);
			return DRAIN_OVERFLOWED;
		}
		if (this->stopping)
		{
			this->mutex->unlock(this->mutex);
			return DRAIN_STOPPED;
		}
		record = NULL;
		if (!blocked)
		{
			this->queue->remove_first(this->queue, (void**)&record);
		}
		this->mutex->unlock(this->mutex);

		if (record)
		{
			sent = send_record(this, record);
			if (sent > 0)
			{
				free(record);
				continue;
			}
			if (sent < 0)
			{
				free(record);
				return DRAIN_LOST;
			}
			/* full: put it back in front, unless the queue was reset */
			this->mutex->lock(this->mutex);
			if (this->state == LINK_UP)
			{
				this->queue->insert_first(this->queue, record);
				record = NULL;
			}
			this->mutex->unlock(this->mutex);
			free(record);
			blocked = TRUE;
		}

		pfd[0] = (struct pollfd){
			.fd = this->fd,
			.events = POLLIN | (blocked ? POLLOUT : 0),
		};
		pfd[1] = (struct pollfd){
			.fd = this->wakefd,
			.events = POLLIN,
		};
		if (poll_cancellable(pfd, countof(pfd), -1) < 0)
		{
			if (errno == EINTR)
			{
				continue;
			}
			DBG1(DBG_CFG, "l2tpsrv: poll failed: %s", strerror(errno));
			return DRAIN_LOST;
		}
		if (!check_input(this, pfd[0].revents))
		{
			return DRAIN_LOST;
		}
		if (pfd[0].revents & POLLOUT)
		{
			blocked = FALSE;
		}
		if (pfd[1].revents & POLLIN)
		{
			unwake(this);
		}
	}
}

/**
 * At shutdown: send what is queued as far as the socket takes it without
 * waiting, so that l2tpsrv hears the last ike-downs.
 */
static void drain_final(private_l2tpsrv_link_t *this)
{
	record_t *record;

	this->mutex->lock(this->mutex);
	while (this->queue->remove_first(this->queue, (void**)&record) == SUCCESS)
	{
		if (send_record(this, record) <= 0)
		{
			free(record);
			break;
		}
		free(record);
	}
	this->mutex->unlock(this->mutex);
}

/**
 * Stop queueing and close the connection.
 */
static void end_session(private_l2tpsrv_link_t *this)
{
	this->mutex->lock(this->mutex);
	this->state = LINK_DOWN;
	flush_queue(this);
	this->mutex->unlock(this->mutex);
	close(this->fd);
	this->fd = -1;
}

/**
 * The sender thread.
 */
static void *run(private_l2tpsrv_link_t *this)
{
	u_int failures = 0, children;
	drain_result_t result;
	int fd;

	/* cancellable in poll() only, see poll_cancellable() */
	thread_cancelability(FALSE);

	while (!is_stopping(this))
	{
		fd = connect_socket(this->path);
		if (fd < 0)
		{
			/* the first failure of a series at level 1, later ones at 2 */
			if (failures++ == 0)
			{
				DBG1(DBG_CFG, "l2tpsrv: connecting to %s failed: %s, "
					 "retrying every %ums", this->path, strerror(-fd),
					 this->reconnect_ms);
			}
			else
			{
				DBG2(DBG_CFG, "l2tpsrv: connecting to %s failed: %s "
					 "(attempt %u)", this->path, strerror(-fd), failures);
			}
			wait_reconnect(this);
			continue;
		}
		failures = 0;
		this->fd = fd;

		children = start_session(this);
		DBG1(DBG_CFG, "l2tpsrv: connected to %s, replayed %u CHILD_SAs",
			 this->path, children);

		result = drain(this);
		if (result == DRAIN_STOPPED)
		{
			drain_final(this);
		}
		end_session(this);

		switch (result)
		{
			case DRAIN_LOST:
				DBG1(DBG_CFG, "l2tpsrv: connection to %s lost", this->path);
				wait_reconnect(this);
				break;
			case DRAIN_OVERFLOWED:
				DBG1(DBG_CFG, "l2tpsrv: more than %u records queued for %s, "
					 "dropped them; reconnecting to replay",
					 this->queue_limit, this->path);
				break;
			case DRAIN_STOPPED:
				break;
		}
	}
	return NULL;
}

METHOD(l2tpsrv_link_t, start, bool,
	private_l2tpsrv_link_t *this, l2tpsrv_link_replay_t replay,
	l2tpsrv_link_receive_t receive, void *data)
{
	this->replay = replay;
	this->receive = receive;
	this->data = data;
	this->thread = thread_create((thread_main_t)run, this);
	return this->thread != NULL;
}

METHOD(l2tpsrv_link_t, destroy, void,
	private_l2tpsrv_link_t *this)
{
	if (this->thread)
	{
		this->mutex->lock(this->mutex);
		this->stopping = TRUE;
		this->mutex->unlock(this->mutex);
		wake(this);
		/* the thread leaves at its next check of stopping; the cancel only
		 * takes effect in poll() should it block there nonetheless */
		this->thread->cancel(this->thread);
		this->thread->join(this->thread);
	}
	if (this->fd >= 0)
	{	/* cancelled while connected */
		close(this->fd);
	}
	close(this->wakefd);
	flush_queue(this);
	this->queue->destroy(this->queue);
	this->mutex->destroy(this->mutex);
	free(this->path);
	free(this);
}

/*
 * See header
 */
l2tpsrv_link_t *l2tpsrv_link_create(char *path, u_int reconnect_ms,
									u_int queue_limit)
{
	private_l2tpsrv_link_t *this;

	INIT(this,
		.public = {
			.push = _push,
			.push_optional = _push_optional,
			.start = _start,
			.destroy = _destroy,
		},
		.path = strdup(path),
		.reconnect_ms = max(reconnect_ms, 1),
		.queue_limit = max(queue_limit, 1),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.queue = linked_list_create(),
		.state = LINK_DOWN,
		.fd = -1,
		.wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
	);
	if (this->wakefd < 0)
	{
		DBG1(DBG_CFG, "l2tpsrv: creating eventfd failed: %s",
			 strerror(errno));
		this->queue->destroy(this->queue);
		this->mutex->destroy(this->mutex);
		free(this->path);
		free(this);
		return NULL;
	}
	return &this->public;
}
