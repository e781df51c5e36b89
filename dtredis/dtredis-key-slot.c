/* dtredis-key-slot.c: the Redis Cluster hash slot of a key
 *
 * The slot is the CRC-16 of the key (the XMODEM variant: polynomial
 * 0x1021, initial value 0, no reflection, no final XOR) modulo 16384, as
 * the Redis Cluster specification defines it. When the key has a hash
 * tag (a "{" followed later by a "}" with at least one byte between
 * them) only the bytes between the first "{" and the first "}" after it
 * are hashed, so that keys sharing a tag share a slot.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-key-slot.h"

#define CRC16_POLYNOMIAL 0x1021

static guint16 crc16_table[256];

/* The table of the CRC for each value of a byte, computed once. */
static void
init_table (void)
{
  static gsize initialized = 0;

  if (!g_once_init_enter (&initialized))
    return;

  for (guint byte = 0; byte < 256; byte++)
    {
      guint16 crc = (guint16) (byte << 8);

      for (guint bit = 0; bit < 8; bit++)
        crc = (crc & 0x8000) ? (guint16) ((crc << 1) ^ CRC16_POLYNOMIAL) : (guint16) (crc << 1);
      crc16_table[byte] = crc;
    }

  g_once_init_leave (&initialized, 1);
}

static guint16
crc16 (const guint8 *data,
       gsize         length)
{
  guint16 crc = 0;

  init_table ();
  for (gsize i = 0; i < length; i++)
    crc = (guint16) ((crc << 8) ^ crc16_table[((crc >> 8) ^ data[i]) & 0xff]);
  return crc;
}

/**
 * dt_redis_key_slot_data:
 * @data: (array length=length): the key's bytes
 * @length: how many bytes @data has
 *
 * Computes the Redis Cluster hash slot of a binary key, as
 * `CLUSTER KEYSLOT` does: the CRC-16 of the key, or of its hash tag (the
 * bytes between the first `{` and the first `}` after it, when there is
 * at least one), modulo %DT_REDIS_CLUSTER_SLOTS.
 *
 * Returns: the slot, below %DT_REDIS_CLUSTER_SLOTS
 */
guint
dt_redis_key_slot_data (const guint8 *data,
                        gsize         length)
{
  const guint8 *open;

  g_return_val_if_fail (data != NULL || length == 0, 0);

  open = length > 0 ? memchr (data, '{', length) : NULL;
  if (open != NULL)
    {
      gsize start = (gsize) (open - data) + 1;
      const guint8 *close = memchr (data + start, '}', length - start);

      if (close != NULL && close > data + start)
        return crc16 (data + start, (gsize) (close - data) - start) % DT_REDIS_CLUSTER_SLOTS;
    }

  return crc16 (data, length) % DT_REDIS_CLUSTER_SLOTS;
}

/**
 * dt_redis_key_slot:
 * @key: a key, as UTF-8 text
 *
 * Computes the Redis Cluster hash slot of @key, as `CLUSTER KEYSLOT`
 * does; see [func@DtRedis.key_slot_data].
 *
 * Returns: the slot, below %DT_REDIS_CLUSTER_SLOTS
 */
guint
dt_redis_key_slot (const char *key)
{
  g_return_val_if_fail (key != NULL, 0);

  return dt_redis_key_slot_data ((const guint8 *) key, strlen (key));
}

/**
 * dt_redis_key_slot_bytes:
 * @key: a binary key
 *
 * Computes the Redis Cluster hash slot of @key, as `CLUSTER KEYSLOT`
 * does; see [func@DtRedis.key_slot_data].
 *
 * Returns: the slot, below %DT_REDIS_CLUSTER_SLOTS
 */
guint
dt_redis_key_slot_bytes (GBytes *key)
{
  gsize length = 0;
  const guint8 *data;

  g_return_val_if_fail (key != NULL, 0);

  data = g_bytes_get_data (key, &length);
  return dt_redis_key_slot_data (data, length);
}
