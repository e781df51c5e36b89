/* tsan-glib-shim.c: GLib's locks, once and atomic refcounts, made visible
 * to ThreadSanitizer
 *
 * On Linux, GLib 2.74 builds GMutex, GRecMutex and GCond on raw futexes
 * and does its atomics in a library that is not instrumented, so TSan sees
 * none of the ordering they provide and reports every access a GMutex
 * protects as a race. In a -Db_sanitize=thread build (scripts/run-sanitizers)
 * tests/meson.build links this file into each C test: the same functions,
 * on pthread locks and compiler atomics that TSan understands, which the
 * test, the library and GIO and GObject (through their PLT) then call.
 * Calls inside libglib itself keep GLib's own versions (it binds them
 * directly); that is fine, as those locks are never shared with callers
 * outside it; tests/tsan.supp covers what shows of them.
 *
 * Only for testing; GLib's semantics are kept, not its speed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

/* -- lazily allocated pthread objects behind GLib's pointer-sized slots -- */

static void *
slot_get (gpointer  *slot,
          void    *(*create) (void),
          void     (*destroy) (void *))
{
  void *impl = __atomic_load_n (slot, __ATOMIC_ACQUIRE);

  if (impl == NULL)
    {
      void *fresh = create ();

      if (__atomic_compare_exchange_n (slot, &impl, fresh, FALSE,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        impl = fresh;
      else
        destroy (fresh);
    }

  return impl;
}

static void
check (int         rc,
       const char *what)
{
  if (rc != 0)
    {
      fprintf (stderr, "tsan-glib-shim: %s failed: %d\n", what, rc);
      abort ();
    }
}

static void *
mutex_create (void)
{
  pthread_mutex_t *m = malloc (sizeof *m);

  check (pthread_mutex_init (m, NULL), "pthread_mutex_init");
  return m;
}

static void *
rec_mutex_create (void)
{
  pthread_mutex_t *m = malloc (sizeof *m);
  pthread_mutexattr_t attr;

  pthread_mutexattr_init (&attr);
  pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_RECURSIVE);
  check (pthread_mutex_init (m, &attr), "pthread_mutex_init");
  pthread_mutexattr_destroy (&attr);
  return m;
}

static void
mutex_destroy (void *m)
{
  pthread_mutex_destroy (m);
  free (m);
}

static void *
rw_lock_create (void)
{
  pthread_rwlock_t *l = malloc (sizeof *l);

  check (pthread_rwlock_init (l, NULL), "pthread_rwlock_init");
  return l;
}

static void
rw_lock_destroy (void *l)
{
  pthread_rwlock_destroy (l);
  free (l);
}

static void *
cond_create (void)
{
  pthread_cond_t *c = malloc (sizeof *c);
  pthread_condattr_t attr;

  /* g_cond_wait_until() takes g_get_monotonic_time() deadlines. */
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  check (pthread_cond_init (c, &attr), "pthread_cond_init");
  pthread_condattr_destroy (&attr);
  return c;
}

static void
cond_destroy (void *c)
{
  pthread_cond_destroy (c);
  free (c);
}

static void
slot_clear (gpointer  *slot,
            void     (*destroy) (void *))
{
  void *impl = __atomic_exchange_n (slot, NULL, __ATOMIC_ACQ_REL);

  if (impl != NULL)
    destroy (impl);
}

#define MUTEX(m)     ((pthread_mutex_t *) slot_get (&(m)->p, mutex_create, mutex_destroy))
#define REC_MUTEX(m) ((pthread_mutex_t *) slot_get (&(m)->p, rec_mutex_create, mutex_destroy))
#define RW_LOCK(l)   ((pthread_rwlock_t *) slot_get (&(l)->p, rw_lock_create, rw_lock_destroy))
#define COND(c)      ((pthread_cond_t *) slot_get (&(c)->p, cond_create, cond_destroy))

/* -- GMutex ---------------------------------------------------------------- */

void
g_mutex_init (GMutex *mutex)
{
  mutex->p = mutex_create ();
}

void
g_mutex_clear (GMutex *mutex)
{
  slot_clear (&mutex->p, mutex_destroy);
}

void
g_mutex_lock (GMutex *mutex)
{
  check (pthread_mutex_lock (MUTEX (mutex)), "pthread_mutex_lock");
}

void
g_mutex_unlock (GMutex *mutex)
{
  check (pthread_mutex_unlock (MUTEX (mutex)), "pthread_mutex_unlock");
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  return pthread_mutex_trylock (MUTEX (mutex)) == 0;
}

/* -- GRecMutex ------------------------------------------------------------- */

void
g_rec_mutex_init (GRecMutex *rec_mutex)
{
  rec_mutex->p = rec_mutex_create ();
}

void
g_rec_mutex_clear (GRecMutex *rec_mutex)
{
  slot_clear (&rec_mutex->p, mutex_destroy);
}

void
g_rec_mutex_lock (GRecMutex *rec_mutex)
{
  check (pthread_mutex_lock (REC_MUTEX (rec_mutex)), "pthread_mutex_lock");
}

void
g_rec_mutex_unlock (GRecMutex *rec_mutex)
{
  check (pthread_mutex_unlock (REC_MUTEX (rec_mutex)), "pthread_mutex_unlock");
}

gboolean
g_rec_mutex_trylock (GRecMutex *rec_mutex)
{
  return pthread_mutex_trylock (REC_MUTEX (rec_mutex)) == 0;
}

/* -- GRWLock --------------------------------------------------------------- */

void
g_rw_lock_init (GRWLock *rw_lock)
{
  rw_lock->p = rw_lock_create ();
}

void
g_rw_lock_clear (GRWLock *rw_lock)
{
  slot_clear (&rw_lock->p, rw_lock_destroy);
}

void
g_rw_lock_writer_lock (GRWLock *rw_lock)
{
  check (pthread_rwlock_wrlock (RW_LOCK (rw_lock)), "pthread_rwlock_wrlock");
}

gboolean
g_rw_lock_writer_trylock (GRWLock *rw_lock)
{
  return pthread_rwlock_trywrlock (RW_LOCK (rw_lock)) == 0;
}

void
g_rw_lock_writer_unlock (GRWLock *rw_lock)
{
  check (pthread_rwlock_unlock (RW_LOCK (rw_lock)), "pthread_rwlock_unlock");
}

void
g_rw_lock_reader_lock (GRWLock *rw_lock)
{
  check (pthread_rwlock_rdlock (RW_LOCK (rw_lock)), "pthread_rwlock_rdlock");
}

gboolean
g_rw_lock_reader_trylock (GRWLock *rw_lock)
{
  return pthread_rwlock_tryrdlock (RW_LOCK (rw_lock)) == 0;
}

void
g_rw_lock_reader_unlock (GRWLock *rw_lock)
{
  check (pthread_rwlock_unlock (RW_LOCK (rw_lock)), "pthread_rwlock_unlock");
}

/* -- GCond ----------------------------------------------------------------- */

void
g_cond_init (GCond *cond)
{
  cond->p = cond_create ();
}

void
g_cond_clear (GCond *cond)
{
  slot_clear (&cond->p, cond_destroy);
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  check (pthread_cond_wait (COND (cond), MUTEX (mutex)), "pthread_cond_wait");
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  struct timespec ts;
  int rc;

  ts.tv_sec = end_time / G_USEC_PER_SEC;
  ts.tv_nsec = (end_time % G_USEC_PER_SEC) * 1000;
  rc = pthread_cond_timedwait (COND (cond), MUTEX (mutex), &ts);
  if (rc != 0 && rc != ETIMEDOUT)
    check (rc, "pthread_cond_timedwait");

  return rc == 0;
}

void
g_cond_signal (GCond *cond)
{
  check (pthread_cond_signal (COND (cond)), "pthread_cond_signal");
}

void
g_cond_broadcast (GCond *cond)
{
  check (pthread_cond_broadcast (COND (cond)), "pthread_cond_broadcast");
}

/* -- g_once_init_enter/leave ------------------------------------------------ */

/* As GLib does it: one lock for all, and a list of the locations being
 * initialised, so that other threads wait for those only. */
static pthread_mutex_t once_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t once_cond = PTHREAD_COND_INITIALIZER;
#define MAX_ONCE_IN_PROGRESS 256
static volatile void *once_in_progress[MAX_ONCE_IN_PROGRESS];

static gboolean
once_is_in_progress (volatile void *location)
{
  for (guint i = 0; i < MAX_ONCE_IN_PROGRESS; i++)
    if (once_in_progress[i] == location)
      return TRUE;
  return FALSE;
}

gboolean
(g_once_init_enter) (volatile void *location)
{
  gsize *value_location = (gsize *) location;
  gboolean need_init = FALSE;

  pthread_mutex_lock (&once_lock);
  if (__atomic_load_n (value_location, __ATOMIC_ACQUIRE) == 0)
    {
      if (!once_is_in_progress (location))
        {
          guint i;

          for (i = 0; i < MAX_ONCE_IN_PROGRESS && once_in_progress[i] != NULL; i++)
            ;
          if (i == MAX_ONCE_IN_PROGRESS)
            {
              fputs ("tsan-glib-shim: too many g_once_init_enter() at once\n", stderr);
              abort ();
            }
          once_in_progress[i] = location;
          need_init = TRUE;
        }
      else
        {
          do
            pthread_cond_wait (&once_cond, &once_lock);
          while (once_is_in_progress (location));
        }
    }
  pthread_mutex_unlock (&once_lock);

  return need_init;
}

void
(g_once_init_leave) (volatile void *location,
                     gsize          result)
{
  gsize *value_location = (gsize *) location;

  __atomic_store_n (value_location, result, __ATOMIC_RELEASE);

  pthread_mutex_lock (&once_lock);
  for (guint i = 0; i < MAX_ONCE_IN_PROGRESS; i++)
    if (once_in_progress[i] == location)
      once_in_progress[i] = NULL;
  pthread_cond_broadcast (&once_cond);
  pthread_mutex_unlock (&once_lock);
}

/* -- atomic reference counts ----------------------------------------------- */

void
(g_atomic_ref_count_init) (gatomicrefcount *arc)
{
  __atomic_store_n (arc, 1, __ATOMIC_RELEASE);
}

void
(g_atomic_ref_count_inc) (gatomicrefcount *arc)
{
  __atomic_fetch_add (arc, 1, __ATOMIC_RELAXED);
}

gboolean
(g_atomic_ref_count_dec) (gatomicrefcount *arc)
{
  return __atomic_sub_fetch (arc, 1, __ATOMIC_ACQ_REL) == 0;
}

gboolean
(g_atomic_ref_count_compare) (gatomicrefcount *arc,
                              gint             val)
{
  return __atomic_load_n (arc, __ATOMIC_ACQUIRE) == val;
}
