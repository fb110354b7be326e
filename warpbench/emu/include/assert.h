/* Device-side assert for the emulator: a failed assertion stops the launch and becomes a
 * DeviceAssert exception in Python instead of aborting the process. Like the standard
 * header it has no include guard and follows NDEBUG at each inclusion. */
#include "wbemu/abi.h"

#undef assert
#ifdef NDEBUG
#define assert(expression) ((void)0)
#else
#define assert(expression) \
    ((expression) ? (void)0 : wbemu_device_fault(WBEMU_FAULT_ASSERT, #expression, __FILE__, __LINE__))
#endif
