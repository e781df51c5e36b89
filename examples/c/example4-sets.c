/* example4-sets.c: the seed's Example 4, membership, union, intersection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>
#include <dtredis.h>

static int
fail (const GError *error)
{
  g_printerr ("Redis error: %s\n", error->message);
  return 1;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Sets have no order: sort them, so that the output is the same each run. */
static void
print_set (const char  *label,
           char       **members)
{
  qsort (members, g_strv_length (members), sizeof (char *), compare_strings);
  g_print ("%s: [", label);
  for (guint i = 0; members[i] != NULL; i++)
    g_print ("%s'%s'", i == 0 ? "" : ", ", members[i]);
  g_print ("]\n");
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_auto(GStrv) python_frameworks = NULL;
  g_auto(GStrv) set_union = NULL;
  g_auto(GStrv) intersection = NULL;
  g_auto(GStrv) diff = NULL;
  const char * const both[] = { "set1", "set2", NULL };
  gboolean has_django;
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
  client = dt_redis_instance_get_redis_client (redis_instance);

  /* Add members */
  dt_redis_client_sadd (client, "languages:python",
                        (const char * const[]) { "django", "flask", "fastapi", NULL },
                        NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_sadd (client, "languages:javascript",
                        (const char * const[]) { "react", "vue", "express", NULL },
                        NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Check membership */
  has_django = dt_redis_client_sismember (client, "languages:python", "django", NULL, &error);
  if (error != NULL)
    return fail (error);
  g_print ("Python has Django: %s\n", has_django ? "true" : "false");

  /* Get all members, in the server's order */
  python_frameworks = dt_redis_client_smembers (client, "languages:python", NULL, &error);
  if (python_frameworks == NULL)
    return fail (error);
  g_print ("Python frameworks:\n");
  for (guint i = 0; python_frameworks[i] != NULL; i++)
    g_print ("  - %s\n", python_frameworks[i]);

  /* Set operations */
  dt_redis_client_sadd (client, "set1", (const char * const[]) { "a", "b", "c", NULL },
                        NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_sadd (client, "set2", (const char * const[]) { "b", "c", "d", NULL },
                        NULL, &error);
  if (error != NULL)
    return fail (error);

  set_union = dt_redis_client_sunion (client, both, NULL, &error);
  if (set_union == NULL)
    return fail (error);
  print_set ("Union", set_union);

  intersection = dt_redis_client_sinter (client, both, NULL, &error);
  if (intersection == NULL)
    return fail (error);
  print_set ("Intersection", intersection);

  diff = dt_redis_client_sdiff (client, both, NULL, &error);
  if (diff == NULL)
    return fail (error);
  print_set ("Difference", diff);

  return 0;
}
