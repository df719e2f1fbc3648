#include "core/tty/tty.h"

void tty_devices_init(void)
{
}
