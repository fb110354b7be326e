// Stopping a launch from outside its threads: the no-progress watchdog, the total time
// limit and Ctrl-C (SIGINT). A periodic timer samples the launch's progress counter.
#pragma once

#include "wbemu/abi.h"

namespace wbemu {

// Starts the timer the watchdog and the time limit need, and takes over SIGINT while the
// launch runs (when Python handles it; an ignored or default SIGINT is left alone).
void arm_stops(const wbemu_launch_config& config);
void disarm_stops();

// Called by the scheduler between fibers: true after recording a stop that was asked for
// while no thread was running (the launch must end).
bool take_pending_stop();

}  // namespace wbemu
