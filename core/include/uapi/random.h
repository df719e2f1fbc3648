/* getrandom(2) flags of the Linux ABI. */
#pragma once

#define GRND_NONBLOCK 0x0001
#define GRND_RANDOM 0x0002
#define GRND_INSECURE 0x0004
