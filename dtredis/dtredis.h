/* dtredis.h: the one header applications include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define DTREDIS_INSIDE

#include "dtredis-version.h"
#include "dtredis-version-macros.h"
#include "dtredis-enums.h"
#include "dtredis-error.h"
#include "dtredis-reply.h"
#include "dtredis-command-traits.h"
#include "dtredis-scored-member.h"
#include "dtredis-pool-stats.h"
#include "dtredis-config.h"
#include "dtredis-pipeline.h"
#include "dtredis-client.h"
#include "dtredis-async-client.h"
#include "dtredis-command-flags.h"
#include "dtredis-client-commands.h"
#include "dtredis-async-client-commands.h"
#include "dtredis-instance.h"
#include "dtredis-scan-iterator.h"
#include "dtredis-message.h"
#include "dtredis-pubsub.h"
#include "dtredis-monitor.h"
#include "dtredis-key-slot.h"

#undef DTREDIS_INSIDE
