/* dtredis-version-macros.h: symbol visibility
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib.h>

#ifndef _DT_REDIS_EXTERN
# define _DT_REDIS_EXTERN __attribute__((visibility("default"))) extern
#endif

#define DT_REDIS_AVAILABLE_IN_ALL _DT_REDIS_EXTERN
