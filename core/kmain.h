/*
 * Kernel start-up: kmain() (declared in core/hal/boot.h) runs the boot
 * steps in order on the boot CPU. Other code reads the boot information
 * through kboot_info().
 */
#pragma once

#include "core/hal/boot.h"

#define AMPHI_NAME "Amphi"

/* The boot information kmain() received. Valid after kmain() starts. */
const struct boot_info *kboot_info(void);

/*
 * Parses the command line and applies the console level (quiet,
 * loglevel=). kmain does it first; a platform that prints before kmain
 * (x86_64: ACPI) calls it as soon as boot_info has the command line.
 */
void kmain_parse_command_line(const struct boot_info *info);

/* Prints the boot memory map (Linux e820 style). */
void kmain_print_memory_map(const struct boot_info *boot_info);

/* Prints "Memory: ...K/...K available" with the page allocator's figures. */
void kmain_print_memory_summary(void);
