/* Kernel sources may include <cuda_runtime.h>; the emulator's prelude already declares
 * everything device code uses, so there is nothing to add. */
#pragma once
