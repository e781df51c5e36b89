/* dtredis-scored-member.h: one member of a sorted set with its score
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib-object.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_SCORED_MEMBER (dt_redis_scored_member_get_type ())

typedef struct _DtRedisScoredMember DtRedisScoredMember;

DT_REDIS_AVAILABLE_IN_ALL
GType                dt_redis_scored_member_get_type         (void) G_GNUC_CONST;

DT_REDIS_AVAILABLE_IN_ALL
DtRedisScoredMember *dt_redis_scored_member_new              (const char                *member,
                                                              gdouble                    score);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisScoredMember *dt_redis_scored_member_new_bytes        (GBytes                    *member,
                                                              gdouble                    score);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisScoredMember *dt_redis_scored_member_copy             (const DtRedisScoredMember *self);
DT_REDIS_AVAILABLE_IN_ALL
void                 dt_redis_scored_member_free             (DtRedisScoredMember       *self);

DT_REDIS_AVAILABLE_IN_ALL
const char          *dt_redis_scored_member_get_member       (const DtRedisScoredMember *self);
DT_REDIS_AVAILABLE_IN_ALL
GBytes              *dt_redis_scored_member_get_member_bytes (const DtRedisScoredMember *self);
DT_REDIS_AVAILABLE_IN_ALL
gdouble              dt_redis_scored_member_get_score        (const DtRedisScoredMember *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisScoredMember, dt_redis_scored_member_free)

G_END_DECLS
