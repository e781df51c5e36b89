/* dtredis-error.h: the DtRedisError domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

/**
 * DT_REDIS_ERROR:
 *
 * The error domain of dtredis; codes are [error@DtRedis.Error].
 */
#define DT_REDIS_ERROR (dt_redis_error_quark ())

/**
 * DtRedisError:
 * @DT_REDIS_ERROR_FAILED: anything that fits no other code
 * @DT_REDIS_ERROR_INVALID_CONFIG: a setting or URL is malformed or out of range
 * @DT_REDIS_ERROR_CONNECTION: the server could not be reached, or the
 *   connection broke
 * @DT_REDIS_ERROR_TIMEOUT: the server did not answer within the timeout
 * @DT_REDIS_ERROR_POOL_TIMEOUT: every pooled connection stayed in use for the
 *   whole wait
 * @DT_REDIS_ERROR_PROTOCOL: the server sent something that is not valid RESP
 * @DT_REDIS_ERROR_SERVER: the server answered with an error reply; the message
 *   is the server's text
 * @DT_REDIS_ERROR_AUTH: the server refused the credentials (NOAUTH, WRONGPASS)
 * @DT_REDIS_ERROR_TLS: the TLS handshake or a TLS record failed
 * @DT_REDIS_ERROR_CLOSED: the pool was reset or closed while the command
 *   waited
 * @DT_REDIS_ERROR_TRANSACTION_ABORTED: a watched key changed, so EXEC ran
 *   nothing
 * @DT_REDIS_ERROR_LOADING: the server is loading its dataset and refused the
 *   command, which did not run: retry later
 * @DT_REDIS_ERROR_ENCODING: text was asked of a value that is not valid
 *   UTF-8 (or holds a NUL byte): use the binary-safe variant
 * @DT_REDIS_ERROR_CROSS_SLOT: with Redis Cluster, the keys of one command
 *   (or of one transaction) are in different hash slots; nothing was sent.
 *   Hash tags (`{user:1}:name`, `{user:1}:mail`) keep keys in one slot
 *
 * Error codes in the `DT_REDIS_ERROR` domain.
 */
typedef enum
{
  DT_REDIS_ERROR_FAILED,
  DT_REDIS_ERROR_INVALID_CONFIG,
  DT_REDIS_ERROR_CONNECTION,
  DT_REDIS_ERROR_TIMEOUT,
  DT_REDIS_ERROR_POOL_TIMEOUT,
  DT_REDIS_ERROR_PROTOCOL,
  DT_REDIS_ERROR_SERVER,
  DT_REDIS_ERROR_AUTH,
  DT_REDIS_ERROR_TLS,
  DT_REDIS_ERROR_CLOSED,
  DT_REDIS_ERROR_TRANSACTION_ABORTED,
  DT_REDIS_ERROR_LOADING,
  DT_REDIS_ERROR_ENCODING,
  DT_REDIS_ERROR_CROSS_SLOT,
} DtRedisError;

DT_REDIS_AVAILABLE_IN_ALL
GQuark dt_redis_error_quark (void);

G_END_DECLS
