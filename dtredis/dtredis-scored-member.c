/* dtredis-scored-member.c: one member of a sorted set with its score
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-scored-member.h"

/**
 * DtRedisScoredMember:
 *
 * One member of a sorted set and its score, as the scored replies of
 * `ZRANGE ... WITHSCORES`, `ZPOPMIN` and the like give them: an array of
 * these, in the server's order, rather than two parallel arrays.
 *
 * Members are binary safe. [method@DtRedis.ScoredMember.get_member] gives
 * the member as text, or %NULL when it is not UTF-8 (or holds a NUL
 * byte); [method@DtRedis.ScoredMember.get_member_bytes] always gives it.
 */
struct _DtRedisScoredMember
{
  GBytes  *member;
  char    *text;   /* NULL when the member is not text */
  gdouble  score;
};

/**
 * dt_redis_scored_member_get_type:
 *
 * Gets the [alias@GObject.Type] of [struct@DtRedis.ScoredMember], a boxed type.
 *
 * Returns: the type
 */
G_DEFINE_BOXED_TYPE (DtRedisScoredMember, dt_redis_scored_member,
                     dt_redis_scored_member_copy, dt_redis_scored_member_free)

static char *
dup_text (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return g_strdup ("");
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
    return NULL;

  return g_strndup (data, len);
}

/**
 * dt_redis_scored_member_new:
 * @member: the member, as UTF-8 text
 * @score: its score
 *
 * Makes a scored member from text.
 *
 * Returns: (transfer full): a new [struct@DtRedis.ScoredMember]
 */
DtRedisScoredMember *
dt_redis_scored_member_new (const char *member,
                            gdouble     score)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (member != NULL, NULL);

  bytes = g_bytes_new (member, strlen (member));
  return dt_redis_scored_member_new_bytes (bytes, score);
}

/**
 * dt_redis_scored_member_new_bytes:
 * @member: the member, any bytes
 * @score: its score
 *
 * Makes a scored member from a binary-safe member.
 *
 * Returns: (transfer full): a new [struct@DtRedis.ScoredMember]
 */
DtRedisScoredMember *
dt_redis_scored_member_new_bytes (GBytes  *member,
                                  gdouble  score)
{
  DtRedisScoredMember *self;

  g_return_val_if_fail (member != NULL, NULL);

  self = g_new0 (DtRedisScoredMember, 1);
  self->member = g_bytes_ref (member);
  self->text = dup_text (member);
  self->score = score;

  return self;
}

/**
 * dt_redis_scored_member_copy:
 * @self: a [struct@DtRedis.ScoredMember]
 *
 * Copies @self.
 *
 * Returns: (transfer full): a copy of @self
 */
DtRedisScoredMember *
dt_redis_scored_member_copy (const DtRedisScoredMember *self)
{
  DtRedisScoredMember *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (DtRedisScoredMember, 1);
  copy->member = g_bytes_ref (self->member);
  copy->text = g_strdup (self->text);
  copy->score = self->score;

  return copy;
}

/**
 * dt_redis_scored_member_free:
 * @self: (nullable): a [struct@DtRedis.ScoredMember]
 *
 * Frees @self.
 */
void
dt_redis_scored_member_free (DtRedisScoredMember *self)
{
  if (self == NULL)
    return;

  g_bytes_unref (self->member);
  g_free (self->text);
  g_free (self);
}

/**
 * dt_redis_scored_member_get_member:
 * @self: a [struct@DtRedis.ScoredMember]
 *
 * The member as UTF-8 text.
 *
 * Returns: (nullable): the member, or %NULL when it is not UTF-8 text
 *   (see [method@DtRedis.ScoredMember.get_member_bytes])
 */
const char *
dt_redis_scored_member_get_member (const DtRedisScoredMember *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/**
 * dt_redis_scored_member_get_member_bytes:
 * @self: a [struct@DtRedis.ScoredMember]
 *
 * The member, byte for byte.
 *
 * Returns: (transfer full): the member
 */
GBytes *
dt_redis_scored_member_get_member_bytes (const DtRedisScoredMember *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_bytes_ref (self->member);
}

/**
 * dt_redis_scored_member_get_score:
 * @self: a [struct@DtRedis.ScoredMember]
 *
 * The member's score (`inf` and `-inf` included).
 *
 * Returns: the score
 */
gdouble
dt_redis_scored_member_get_score (const DtRedisScoredMember *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->score;
}
