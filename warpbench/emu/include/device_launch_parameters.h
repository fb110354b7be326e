/* Kernel sources may include <device_launch_parameters.h>; the emulator's prelude already declares
 * everything device code uses, so there is nothing to add. */
#pragma once
