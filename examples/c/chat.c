/* chat.c: a chat room on pub/sub, one DtRedisPubSub per user
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Alice and Bob subscribe to the channel `room:lobby`; Carol psubscribes
 * to the pattern `room:*` and so hears every room.  They post with
 * PUBLISH through an async client, whose reply says how many subscribers
 * got the message: the program waits for that many ::message signals
 * before printing who received what, so the output does not depend on
 * which subscriber the server serves first.  At the end each user
 * unsubscribes from everything, which closes their connection: the
 * "connected" property turns false (notify::connected).
 */

#include <dtredis.h>

typedef struct _App App;

typedef struct
{
  const char    *name;
  const char    *room;      /* a channel, or a pattern when is_pattern */
  gboolean       is_pattern;
  DtRedisPubSub *pubsub;
  char          *received;  /* what the current post brought this user */
  gboolean       leaving;
  App           *app;
} User;

enum { ALICE, BOB, CAROL, N_USERS };

typedef enum { JOIN, POST, LEAVE } Action;

typedef struct
{
  Action      action;
  guint       user;
  const char *channel;
  const char *text;
} Step;

/* What happens, one step after the other. */
static const Step script[] = {
  { JOIN, ALICE },
  { JOIN, BOB },
  { JOIN, CAROL },
  { POST, ALICE, "room:lobby", "Hello, everyone!" },
  { POST, BOB, "room:lobby", "Hi Alice!" },
  { POST, CAROL, "room:games", "Anyone up for chess?" },
  { LEAVE, BOB },
  { POST, ALICE, "room:lobby", "Bob has left." },
  { LEAVE, ALICE },
  { LEAVE, CAROL },
};

struct _App
{
  GMainLoop          *loop;
  DtRedisAsyncClient *client;
  User                users[N_USERS];
  guint               step;
  gint64              n_expected;  /* PUBLISH's answer; -1 until it comes */
  guint               n_received;
  int                 exit_status;
};

static void next_step (App *app);
static void post_maybe_done (App *app);

static void
fail (App        *app,
      const char *message)
{
  g_printerr ("%s\n", message);
  app->exit_status = 1;
  g_main_loop_quit (app->loop);
}

/* -- signals -------------------------------------------------------------- */

static void
on_message (DtRedisPubSub  *pubsub,
            DtRedisMessage *message,
            User           *user)
{
  App *app = user->app;
  const char *pattern = dt_redis_message_get_pattern (message);

  if (user->received != NULL)
    {
      fail (app, "A user got the same post twice");
      return;
    }
  /* A pattern subscriber also learns which pattern matched. */
  user->received = g_strdup_printf ("[%s%s%s] %s", dt_redis_message_get_channel (message),
                                    pattern != NULL ? " via " : "", pattern != NULL ? pattern : "",
                                    dt_redis_message_get_text (message));
  app->n_received++;
  post_maybe_done (app);
}

static void
on_confirmation (DtRedisPubSub  *pubsub,
                 DtRedisMessage *confirmation,
                 User           *user)
{
  g_print ("%s %s %s\n", user->name, dt_redis_message_get_kind_name (confirmation),
           dt_redis_message_get_channel (confirmation));
}

static void
on_connected_changed (DtRedisPubSub *pubsub,
                      GParamSpec    *pspec,
                      User          *user)
{
  gboolean connected = dt_redis_pubsub_get_connected (pubsub);

  g_print ("%s connected: %s\n", user->name, connected ? "true" : "false");

  /* Subscribed to nothing, the connection is closed: the user is gone. */
  if (!connected && user->leaving)
    {
      user->leaving = FALSE;
      next_step (user->app);
    }
}

/* -- steps ---------------------------------------------------------------- */

static void
joined (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  User *user = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (user->is_pattern)
    ok = dt_redis_pubsub_psubscribe_finish (DT_REDIS_PUBSUB (source), result, &error);
  else
    ok = dt_redis_pubsub_subscribe_finish (DT_REDIS_PUBSUB (source), result, &error);
  if (!ok)
    {
      fail (user->app, error->message);
      return;
    }
  next_step (user->app);
}

static void
left (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  User *user = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (user->is_pattern)
    ok = dt_redis_pubsub_punsubscribe_finish (DT_REDIS_PUBSUB (source), result, &error);
  else
    ok = dt_redis_pubsub_unsubscribe_finish (DT_REDIS_PUBSUB (source), result, &error);
  if (!ok)
    {
      fail (user->app, error->message);
      return;
    }
  /* The next step comes when the connection is closed: on_connected_changed(). */
}

static void
published (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = NULL;

  reply = dt_redis_async_client_execute_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      fail (app, error->message);
      return;
    }
  /* The messages may have come in before this answer. */
  app->n_expected = dt_redis_reply_get_integer (reply);
  post_maybe_done (app);
}

/* Every subscriber has the post: print in a fixed order and go on. */
static void
post_maybe_done (App *app)
{
  if (app->n_received != app->n_expected)
    return;

  g_print ("  (delivered to %" G_GINT64_FORMAT ")\n", app->n_expected);
  for (guint i = 0; i < N_USERS; i++)
    if (app->users[i].received != NULL)
      {
        g_print ("  %s got %s\n", app->users[i].name, app->users[i].received);
        g_clear_pointer (&app->users[i].received, g_free);
      }
  next_step (app);
}

static void
next_step (App *app)
{
  const Step *step;
  User *user;
  g_autofree char *text = NULL;

  if (app->step == G_N_ELEMENTS (script))
    {
      g_main_loop_quit (app->loop);
      return;
    }

  step = &script[app->step++];
  user = &app->users[step->user];
  switch (step->action)
    {
    case JOIN:
      if (user->is_pattern)
        dt_redis_pubsub_psubscribe_async (user->pubsub, (const char * const[]) { user->room, NULL },
                                          NULL, joined, user);
      else
        dt_redis_pubsub_subscribe_async (user->pubsub, (const char * const[]) { user->room, NULL },
                                         NULL, joined, user);
      break;

    case POST:
      g_print ("%s posts to %s: %s\n", user->name, step->channel, step->text);
      text = g_strdup_printf ("%s: %s", user->name, step->text);
      app->n_expected = -1;
      app->n_received = 0;
      dt_redis_async_client_execute_async (app->client,
                                           (const char * const[]) { "PUBLISH", step->channel, text, NULL },
                                           NULL, published, app);
      break;

    case LEAVE:
      /* No names: unsubscribe from everything. */
      user->leaving = TRUE;
      if (user->is_pattern)
        dt_redis_pubsub_punsubscribe_async (user->pubsub, NULL, NULL, left, user);
      else
        dt_redis_pubsub_unsubscribe_async (user->pubsub, NULL, NULL, left, user);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* -- main ----------------------------------------------------------------- */

static gboolean
timed_out (gpointer user_data)
{
  fail (user_data, "Timed out");
  return G_SOURCE_REMOVE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  App app = {
    .users = {
      [ALICE] = { .name = "alice", .room = "room:lobby" },
      [BOB] = { .name = "bob", .room = "room:lobby" },
      /* Carol watches every room through a pattern. */
      [CAROL] = { .name = "carol", .room = "room:*", .is_pattern = TRUE },
    },
  };
  const char *url;

  url = g_getenv ("REDIS_URL");
  if (url == NULL)
    url = "redis://localhost:6379/0";

  config = dt_redis_config_new_from_url (url, &error);
  if (config == NULL)
    {
      g_printerr ("Bad REDIS_URL: %s\n", error->message);
      return 1;
    }
  redis_instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_async_redis_client (redis_instance);
  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.client = client;

  for (guint i = 0; i < N_USERS; i++)
    {
      User *user = &app.users[i];

      user->app = &app;
      user->pubsub = dt_redis_instance_get_pubsub (redis_instance);
      g_signal_connect (user->pubsub, "message", G_CALLBACK (on_message), user);
      g_signal_connect (user->pubsub, "subscribed", G_CALLBACK (on_confirmation), user);
      g_signal_connect (user->pubsub, "unsubscribed", G_CALLBACK (on_confirmation), user);
      g_signal_connect (user->pubsub, "notify::connected", G_CALLBACK (on_connected_changed), user);
    }

  next_step (&app);
  /* A safeguard: a lost message must not leave the program hanging. */
  g_timeout_add_seconds (10, timed_out, &app);
  g_main_loop_run (loop);

  for (guint i = 0; i < N_USERS; i++)
    {
      g_clear_pointer (&app.users[i].received, g_free);
      g_clear_object (&app.users[i].pubsub);
    }

  return app.exit_status;
}
