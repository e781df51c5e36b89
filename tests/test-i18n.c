/* test-i18n.c: error messages come out in the user's language
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The locale is C.UTF-8 (always present with glibc >= 2.35) and the
 * language is chosen with LANGUAGE, which gettext honours for any locale
 * but plain "C".  The catalogues are the ones meson compiled into
 * <build>/po/<lang>/LC_MESSAGES/, not the installed ones.
 */

#include "config.h"

#include <locale.h>
#include <libintl.h>

#include "dtredis.h"

/* Where the library bound its domain, before main() rebinds it. */
static char *library_localedir;

static void
use_language (const char *language)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  /* setlocale() also flushes gettext's cache of looked-up messages. */
  g_assert_nonnull (setlocale (LC_ALL, ""));
}

static char *
error_for_url (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, &error);

  g_assert_null (config);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  return g_strdup (error->message);
}

static char *
error_for_port (guint port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_port (config, port);
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  return g_strdup (error->message);
}

static void
test_domain_bound (void)
{
  /* The library binds its domain itself, to the installed catalogues,
   * in UTF-8 whatever the locale's charset.  main() rebinds it to the
   * build tree afterwards, so it checks what the library did first. */
  g_assert_cmpstr (library_localedir, ==, LOCALEDIR);
  g_assert_cmpstr (bind_textdomain_codeset (GETTEXT_PACKAGE, NULL), ==, "UTF-8");
}

static void
test_english (void)
{
  g_autofree char *scheme = NULL;
  g_autofree char *port = NULL;

  use_language (NULL);
  scheme = error_for_url ("ftp://x");
  port = error_for_port (0);

  g_assert_cmpstr (scheme, ==,
                   "Unknown URL scheme “ftp”: expected redis://, rediss://, unix://, "
                   "redis+sentinel:// or redis+cluster://");
  g_assert_cmpstr (port, ==, "The port 0 is out of range: expected 1 to 65535");
}

static void
test_german (void)
{
  g_autofree char *scheme = NULL;
  g_autofree char *port = NULL;
  g_autofree char *bad_port = NULL;

  use_language ("de");
  scheme = error_for_url ("ftp://x");
  port = error_for_port (0);
  bad_port = error_for_url ("redis://localhost:99999/0");

  g_assert_cmpstr (scheme, ==,
                   "Unbekanntes URL-Schema „ftp“: erwartet wird redis://, rediss://, unix://, "
                   "redis+sentinel:// oder redis+cluster://");
  g_assert_cmpstr (port, ==,
                   "Der Port 0 liegt außerhalb des gültigen Bereichs: erwartet wird 1 bis 65535");
  g_assert_cmpstr (bad_port, ==,
                   "Ungültiger Port in der URL: erwartet wird eine Zahl von 1 bis 65535");
}

static void
test_french (void)
{
  g_autofree char *scheme = NULL;
  g_autofree char *port = NULL;

  use_language ("fr");
  scheme = error_for_url ("ftp://x");
  port = error_for_port (0);

  /* French puts a no-break space before a colon and inside guillemets. */
  g_assert_cmpstr (scheme, ==,
                   "Schéma d’URL inconnu «\u00a0ftp\u00a0»\u00a0: attendu redis://, rediss://, unix://, "
                   "redis+sentinel:// ou redis+cluster://");
  g_assert_cmpstr (port, ==, "Le port 0 est hors limites\u00a0: attendu de 1 à 65535");
}

static void
test_regional_variant (void)
{
  g_autofree char *scheme = NULL;

  /* de_AT has no catalogue of its own: gettext falls back to de. */
  use_language ("de_AT:fr");
  scheme = error_for_url ("ftp://x");

  g_assert_cmpstr (scheme, ==,
                   "Unbekanntes URL-Schema „ftp“: erwartet wird redis://, rediss://, unix://, "
                   "redis+sentinel:// oder redis+cluster://");
}

static void
test_untranslated_language (void)
{
  g_autofree char *scheme = NULL;

  /* No catalogue for Klingon: English, not an empty or broken message. */
  use_language ("tlh");
  scheme = error_for_url ("ftp://x");

  g_assert_cmpstr (scheme, ==,
                   "Unknown URL scheme “ftp”: expected redis://, rediss://, unix://, "
                   "redis+sentinel:// or redis+cluster://");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *localedir = NULL;
  int ret;

  /* C.UTF-8 rather than a language's own locale, which may not be
   * generated on the machine; LANGUAGE picks the catalogue. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");

  g_test_init (&argc, &argv, NULL);

  /* Any use of the error domain binds the library's text domain. */
  (void) DT_REDIS_ERROR;
  library_localedir = g_strdup (bindtextdomain (GETTEXT_PACKAGE, NULL));

  /* The catalogues meson compiled, next to this test's build directory. */
  localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);

  g_test_add_func ("/i18n/domain-bound", test_domain_bound);
  g_test_add_func ("/i18n/english", test_english);
  g_test_add_func ("/i18n/german", test_german);
  g_test_add_func ("/i18n/french", test_french);
  g_test_add_func ("/i18n/regional-variant", test_regional_variant);
  g_test_add_func ("/i18n/untranslated-language", test_untranslated_language);

  ret = g_test_run ();
  g_free (library_localedir);

  return ret;
}
