/* dtredis-scan-iterator.h: walks a whole SCAN, HSCAN, SSCAN or ZSCAN
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dtredis-version-macros.h"
#include "dtredis-client.h"
#include "dtredis-async-client.h"

G_BEGIN_DECLS

/**
 * DtRedisScanKind:
 * @DT_REDIS_SCAN_KEYS: `SCAN`: the keys of the database
 * @DT_REDIS_SCAN_HASH: `HSCAN`: the fields and values of a hash
 * @DT_REDIS_SCAN_SET: `SSCAN`: the members of a set
 * @DT_REDIS_SCAN_SORTED_SET: `ZSCAN`: the members and scores of a sorted set
 *
 * What a [class@DtRedis.ScanIterator] walks.
 */
typedef enum
{
  DT_REDIS_SCAN_KEYS,
  DT_REDIS_SCAN_HASH,
  DT_REDIS_SCAN_SET,
  DT_REDIS_SCAN_SORTED_SET,
} DtRedisScanKind;

#define DT_REDIS_TYPE_SCAN_ITERATOR (dt_redis_scan_iterator_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisScanIterator, dt_redis_scan_iterator, DT_REDIS, SCAN_ITERATOR, GObject)

DT_REDIS_AVAILABLE_IN_ALL
DtRedisScanIterator *dt_redis_scan_iterator_new          (DtRedisClient        *client,
                                                          DtRedisScanKind       kind,
                                                          const char           *key,
                                                          const char           *pattern,
                                                          gint64                count,
                                                          const char           *type);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisScanIterator *dt_redis_scan_iterator_new_async    (DtRedisAsyncClient   *client,
                                                          DtRedisScanKind       kind,
                                                          const char           *key,
                                                          const char           *pattern,
                                                          gint64                count,
                                                          const char           *type);
DT_REDIS_AVAILABLE_IN_ALL
gboolean             dt_redis_scan_iterator_is_done      (DtRedisScanIterator  *self);
DT_REDIS_AVAILABLE_IN_ALL
char               **dt_redis_scan_iterator_next         (DtRedisScanIterator  *self,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void                 dt_redis_scan_iterator_next_async   (DtRedisScanIterator  *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
char               **dt_redis_scan_iterator_next_finish  (DtRedisScanIterator  *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
