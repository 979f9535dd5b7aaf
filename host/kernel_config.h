/*
 * kernel_config.h - which kernel configuration a run was measured under, as a short text the
 * nightly keys its rolling baseline by (a new configuration starts a new baseline, a new
 * release of the same one does not): a CRC-32 (zlib's) of the running kernel's build
 * configuration (/proc/config.gz, else /boot/config-RELEASE), leaving out the lines that
 * change from one build of a configuration to the next (comments other than "# CONFIG_X is
 * not set", LOCALVERSION, the compiler's and tools' version numbers, the build salt, the
 * version signature), and of its command line without BOOT_IMAGE= and initrd=.
 */
#ifndef XB_HOST_KERNEL_CONFIG_H
#define XB_HOST_KERNEL_CONFIG_H

#include <stdint.h>

#include "error.h"

#define KERNEL_CONFIG_TEXT_MAX 160

/* "config 1a2b3c4d, cmdline 5e6f7a8b": the running kernel's, @release its uname release;
 * "config unknown (...)" naming the files when neither is readable. */
void kernel_config_describe(const char *release, char *out, int size);
/* The digest of the configuration file @path (gzip-compressed or plain); -errno with a
 * message when it cannot be read. */
int kernel_config_file_digest(const char *path, uint32_t *crc) XB_MUST_CHECK;
/* The digest of a kernel command line. */
uint32_t kernel_cmdline_digest(const char *cmdline);

#endif
