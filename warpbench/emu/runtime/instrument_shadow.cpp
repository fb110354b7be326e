// Shadow memory for racecheck and initcheck: one cell per byte of global and shared memory
// touched, in pages made on first touch.
//
// Racecheck: within a block, two threads touching one byte in the same barrier interval,
// one writing, not both atomically, race, unless they are lanes of one warp and a warp
// operation (__syncwarp, a shuffle, ...) came between. Each cell remembers the interval's
// last writer and two readers. Between blocks, a byte of global memory written by one block
// and touched by another (not both atomically) is a race whatever the intervals.
// Initcheck: a read of bytes none of which was written (by the host, or in this block for
// shared memory).
#include <memory>
#include <unordered_map>
#include <vector>

#include "instrument.h"
#include "state.h"

namespace wbemu {

namespace {

struct Mark {
    unsigned rank = 0;      // thread rank + 1, 0: none
    unsigned site = 0;      // the access site's index (site_pc)
    unsigned sync = 0;      // the thread's warp_syncs at the access (in-block) or its block
    bool atomic = false;
};

struct Cell {
    unsigned epoch = 0;
    Mark writer, reader, other_reader;
    Mark block_writer, block_reader;   // rank = block serial + 1; sync = thread rank
    unsigned written = 0;              // 0: untouched, 1: never written, 2: written, n + 3: in block n
};

constexpr unsigned kPageBits = 12;
std::unordered_map<std::uint64_t, std::unique_ptr<Cell[]>> g_pages;
unsigned g_epoch = 0;
std::uint64_t g_epoch_block = ~0ull;
unsigned g_epoch_interval = 0;

std::uint64_t last_page = ~0ull;
Cell* last = nullptr;

Cell& cell(std::uint64_t address) {
    const std::uint64_t page = address >> kPageBits;
    if (page != last_page || !last) {
        auto& slot = g_pages[page];
        if (!slot) slot.reset(new Cell[1u << kPageBits]);
        last_page = page;
        last = slot.get();
    }
    return last[address & ((1u << kPageBits) - 1)];
}

void race(const Access& a, const Fiber& f, const Mark& other, bool other_write, bool inter_block,
          const wbemu_instrument_region* region) {
    wbemu_finding d{};
    d.kind = WBEMU_FIND_RACE;
    d.space = a.space;
    d.write = a.op != WBEMU_OP_LOAD;
    d.other_write = other_write;
    d.inter_block = inter_block;
    d.region = region ? region->id : -1;
    d.pc = a.pc;
    d.other_pc = site_pc(other.site);
    d.address = a.address;
    d.block = wbemu_block_idx;
    d.thread = f.pub.idx;
    d.other_block = inter_block ? block_of(other.rank - 1) : wbemu_block_idx;
    d.other_thread = thread_of(inter_block ? other.sync : other.rank - 1);
    add_finding(d);
}

// Whether the earlier access `m` conflicts with the running thread's access.
bool conflicts(const Mark& m, const Fiber& f, bool atomic) {
    if (!m.rank || m.rank == f.pub.rank + 1 || (atomic && m.atomic)) return false;
    const bool same_warp = (m.rank - 1) / 32 == f.pub.warp;
    return !(same_warp && f.warp_syncs > m.sync);
}

void check_races(Cell& c, const Access& a, const Fiber& f, const wbemu_instrument_region* region) {
    const bool write = a.op != WBEMU_OP_LOAD, atomic = a.op == WBEMU_OP_ATOMIC;
    if (c.epoch != g_epoch) {
        c.epoch = g_epoch;
        c.writer = c.reader = c.other_reader = Mark{};
    }
    const Mark mine{f.pub.rank + 1, a.site, f.warp_syncs, atomic};
    bool found = false;
    if (conflicts(c.writer, f, atomic)) race(a, f, c.writer, true, false, region), found = true;
    else if (write && conflicts(c.reader, f, atomic)) race(a, f, c.reader, false, false, region), found = true;
    else if (write && conflicts(c.other_reader, f, atomic)) race(a, f, c.other_reader, false, false, region), found = true;
    if (write) c.writer = mine;
    else if (!c.reader.rank || c.reader.rank == mine.rank) c.reader = mine;
    else c.other_reader = mine;
    if (a.space != WBEMU_SPACE_GLOBAL || found) return;
    const unsigned block = static_cast<unsigned>(g_launch.blocks_done);
    const Mark across{block, mine.site, f.pub.rank, atomic};
    auto other_block = [&](const Mark& m) { return m.rank && m.rank != block && !(atomic && m.atomic); };
    if (other_block(c.block_writer)) race(a, f, c.block_writer, true, true, region), found = true;
    else if (write && other_block(c.block_reader)) race(a, f, c.block_reader, false, true, region), found = true;
    if (write) c.block_writer = across;
    else c.block_reader = across;
}

// Whether the byte of `c` held a written value before this access; marks it written by a
// store or an atomic.
bool was_written(Cell& c, const Access& a, const wbemu_instrument_region* region) {
    const unsigned in_block = static_cast<unsigned>(g_launch.blocks_done) + 3;
    bool written;
    if (a.space == WBEMU_SPACE_SHARED) written = c.written == in_block;
    else written = c.written == 2 || (c.written == 0 && (!region || region->initialized));
    if (a.op != WBEMU_OP_LOAD) c.written = a.space == WBEMU_SPACE_SHARED ? in_block : 2;
    return written;
}

void report_uninitialized(const Access& a, const Fiber& f, const wbemu_instrument_region* region) {
    wbemu_finding d{};
    d.kind = WBEMU_FIND_UNINIT;
    d.space = a.space;
    d.region = region ? region->id : -1;
    d.pc = a.pc;
    d.address = a.address;
    d.block = wbemu_block_idx;
    d.thread = f.pub.idx;
    add_finding(d);
}

}  // namespace

void shadow_access(const Access& a, const Fiber& f, bool racecheck, bool initcheck,
                   const wbemu_instrument_region* region) {
    const Launch& g = g_launch;
    if (g.blocks_done != g_epoch_block || g.interval != g_epoch_interval) {
        g_epoch_block = g.blocks_done;
        g_epoch_interval = g.interval;
        ++g_epoch;
    }
    bool any_written = false;
    for (unsigned i = 0; i < a.size; ++i) {
        Cell& c = cell(a.address + i);
        if (racecheck) check_races(c, a, f, region);
        if (initcheck) any_written |= was_written(c, a, region);
    }
    // A read counts as uninitialised when none of its bytes was written: a struct copied
    // whole reads the padding its fields' stores never wrote.
    if (initcheck && !any_written && a.op != WBEMU_OP_STORE) report_uninitialized(a, f, region);
}

void shadow_reset() {
    g_pages.clear();
    last_page = ~0ull;
    last = nullptr;
    g_epoch = 0;
    g_epoch_block = ~0ull;
}

}  // namespace wbemu
