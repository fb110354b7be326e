/* Device printf prints at once through C stdio (the runtime flushes after each launch).
 * It goes through the runtime so that the watchdog never abandons a thread inside stdio
 * while it holds the stream lock; std::printf is routed there too. */
#ifndef WBEMU_DEVICE_PRINTF_H
#define WBEMU_DEVICE_PRINTF_H

namespace std {
using ::wbemu_printf;
}

#define printf(...) wbemu_printf(__VA_ARGS__)

#endif
