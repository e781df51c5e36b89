/* dtredis-tsan-private.h: orderings GLib provides where ThreadSanitizer
 * cannot see them
 *
 * GLib settles who owns a GMainContext, and hands an attached source to
 * the thread that dispatches it, under locks inside libglib, which is not
 * instrumented. In a -fsanitize=thread build these two macros tell
 * ThreadSanitizer about such an ordering: what a thread did before
 * DT_TSAN_RELEASE (obj) happens before what another does after a later
 * DT_TSAN_ACQUIRE (obj). They are used only where GLib really orders the
 * two (see each use), and are nothing in other builds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define DT_TSAN_ACQUIRE(obj) __tsan_acquire ((void *) (obj))
#define DT_TSAN_RELEASE(obj) __tsan_release ((void *) (obj))
#else
#define DT_TSAN_ACQUIRE(obj) ((void) 0)
#define DT_TSAN_RELEASE(obj) ((void) 0)
#endif
