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

/* Prints the boot memory map (Linux e820 style). */
void kmain_print_memory_map(const struct boot_info *boot_info);

/* Prints "Memory: ...K/...K available" with the page allocator's figures. */
void kmain_print_memory_summary(void);
