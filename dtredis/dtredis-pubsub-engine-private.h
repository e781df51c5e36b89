/* dtredis-pubsub-engine-private.h: what the files of DtRedisPubSub share
 *
 * dtredis-pubsub.c holds the object and its calls, dtredis-pubsub-engine.c
 * the subscribed connection (sending, reading, reconnecting, deadlines),
 * dtredis-pubsub-queue.c the pull queue and the accessors. Everything here
 * runs on the object's main context, in the thread that owns it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-pubsub.h"
#include "dtredis-source-private.h"

G_BEGIN_DECLS

/* The size of one read from the socket. */
#define READ_CHUNK (16 * 1024)

typedef enum
{
  SUBS_CHANNEL,
  SUBS_PATTERN,
  SUBS_SHARD,
  N_SUBS
} SubsKind;

typedef enum
{
  STATE_IDLE,        /* no connection and none needed */
  STATE_CONNECTING,
  STATE_READY,
  STATE_BACKOFF,     /* lost with subscriptions to restore: a retry is due at retry_at */
} State;

typedef enum
{
  OP_SUBSCRIBE,
  OP_UNSUBSCRIBE,
  OP_PING,
} Verb;

/* Ends an op that has no task: takes @error, NULL when it succeeded. */
typedef void (*OpDoneFunc) (gpointer  data,
                            GError   *error);

typedef struct
{
  Verb        verb;
  SubsKind    subs;
  char      **names;     /* NULL-terminated; empty: UNSUBSCRIBE from all */
  guint       n_names;
  char       *ping_arg;
  gboolean    sent;      /* on the current connection */
  gboolean    internal;  /* a resubscription of ours: no task, no confirmations delivered */
  gboolean    restoring; /* internal, and restores what a lost connection had */
  guint       expected;  /* confirmations that end it; 0: not known yet (UNSUBSCRIBE all) */
  guint       got;
  GPtrArray  *added;     /* names this op added to the subscriptions, undone if it fails */
  GTask      *task;      /* NULL when internal or when @done ends it */
  OpDoneFunc  done;      /* instead of a task: a Cluster object's op on a node's object */
  gpointer    done_data;
  GSource    *cancel_source;
  gint64      deadline;
} Op;

typedef struct
{
  DtRedisPubSub *self;   /* NULL once the object is gone */
  GCancellable  *cancellable;
} Opening;

typedef struct _DtRedisPubSubShards DtRedisPubSubShards;

struct _DtRedisPubSub
{
  GObject             parent_instance;

  DtRedisConfig      *config;
  DtRedisEndpoint    *endpoint;      /* resolved by the first subscribe */
  GMainContext       *context;

  State               state;
  gboolean            connected;     /* READY, with nothing left to restore: :connected */
  DtRedisConnection  *conn;
  Opening            *opening;
  GError             *last_error;    /* why the last open failed */
  GSource            *in_source;
  GSource            *out_source;
  GSource            *timer;
  GByteArray         *outbuf;
  gsize               out_pos;
  guint8             *read_buf;

  GQueue              ops;           /* Op *: the sent ones first, in the order sent */
  GHashTable         *subs[N_SUBS];  /* names the server confirmed: resubscribed after a reconnect */

  gint64              lost_at;       /* 0, or when the connection holding subscriptions was lost */
  guint               attempt;       /* failed reconnects since */
  gint64              retry_at;
  guint               resubscribing; /* internal ops unanswered on the new connection */
  GQueue              held;          /* DtRedisMessage *: arrived while resubscribing */

  GQueue              queue;         /* DtRedisMessage *: the pull queue */
  guint               queue_limit;
  DtRedisPubSubOverflow overflow;
  gboolean            paused;        /* PAUSE_READING stopped the reading: no in_source */
  guint64             dropped;
  GQueue              waiters;       /* GTask *: next_message_async */

  /* With a Cluster config: the shard channels, on objects of the slots'
   * owners (dtredis-pubsub-shards.c). */
  DtRedisPubSubShards *shards;
  /* On such a node's object: who is told of the shard channels it loses,
   * instead of subscribing to them again itself. */
  DtRedisPubSubShards *shard_owner;
};

enum {
  PROP_0,
  PROP_CONNECTED,
  PROP_QUEUE_LIMIT,
  PROP_OVERFLOW,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  SIGNAL_SUBSCRIBED,
  SIGNAL_UNSUBSCRIBED,
  SIGNAL_RECONNECTED,
  N_SIGNALS
};


extern GParamSpec *dt_redis_pubsub_properties[N_PROPS];
extern guint dt_redis_pubsub_signals[N_SIGNALS];
/* The command of each verb and kind of subscription. */
extern const char * const dt_redis_pubsub_commands[3][N_SUBS];

/* Queues @op (sending it when connected, connecting when idle); fails it
 * at once when @cancellable is cancelled or the config does not resolve. */
void     dt_redis_pubsub_submit           (DtRedisPubSub  *self,
                                           Op             *op,
                                           GCancellable   *cancellable);
/* Ends @op: removes it, undoes what it added when it failed, completes its
 * task. Takes @error. */
void     dt_redis_pubsub_op_finish        (DtRedisPubSub  *self,
                                           Op             *op,
                                           GError         *error,
                                           DtRedisMessage *pong);
void     dt_redis_pubsub_op_free          (Op             *op);
/* An op on @names (taken); @internal: ours, its confirmations not
 * delivered; @done: what ends it when it has no task. */
Op      *dt_redis_pubsub_op_new           (Verb            verb,
                                           SubsKind        subs,
                                           char          **names,
                                           gboolean        internal,
                                           OpDoneFunc      done,
                                           gpointer        done_data);
/* Hands @message to the signal's handlers, a waiting next_message_async()
 * or the pull queue. */
void     dt_redis_pubsub_deliver          (DtRedisPubSub  *self,
                                           guint           signal_id,
                                           DtRedisMessage *message);
void     dt_redis_pubsub_close_connection (DtRedisPubSub  *self);
void     dt_redis_pubsub_set_state        (DtRedisPubSub  *self,
                                           State           state);
/* PAUSE_READING: reads again once the queue is below its limit. */
void     dt_redis_pubsub_maybe_resume     (DtRedisPubSub  *self);
/* Notifies :connected when it changed (see the connected field). */
void     dt_redis_pubsub_update_connected (DtRedisPubSub  *self);
/* Sets the timer to the earliest deadline or retry. */
void     dt_redis_pubsub_arm_timer        (DtRedisPubSub  *self);
gboolean dt_redis_pubsub_is_subscribed    (DtRedisPubSub  *self);
/* The names in @set (transfer full, unsorted). */
char   **dt_redis_pubsub_dup_names        (GHashTable     *set);
void     dt_redis_pubsub_clear_source     (GSource       **source);
/* Every call runs on the object's context, from the thread that owns it:
 * enter() acquires the context (FALSE, with a critical warning, when
 * another thread owns it), leave() releases it. */
gboolean dt_redis_pubsub_enter            (DtRedisPubSub  *self);
void     dt_redis_pubsub_leave            (DtRedisPubSub  *self);

G_END_DECLS
