// Memory metrics with Nsight Compute's definitions. A warp-level request is the k-th
// execution of one access site by the lanes of a warp: the lanes of a warp run one after
// another between barriers here, so a block's accesses are kept, keyed by (site, warp, k),
// and grouped into requests when the block is done.
//   global: sectors per request = distinct 32-byte sectors the lanes touch;
//   shared: wavefronts per request = for each phase of the warp (all 32 lanes for 4-byte
//   accesses, 16 for 8-byte, 8 for 16-byte: 128 bytes each), the most distinct 4-byte words
//   any one of the 32 banks is asked for (lanes reading one word share it), summed.
#include <algorithm>
#include <unordered_map>
#include <vector>

#include "instrument.h"
#include "state.h"

namespace wbemu {

namespace {

struct Record {
    std::uint64_t pc, address;
    unsigned warp, k;
    unsigned short size;
    unsigned char space, op, lane;
};

std::vector<Record> g_records;
std::vector<std::vector<std::pair<std::uint64_t, unsigned>>> g_executions;  // per thread rank: (pc, count)
std::vector<wbemu_site_stats> g_sites;
std::unordered_map<std::uint64_t, unsigned> g_site_index;   // pc * 4 + space -> g_sites index

unsigned next_execution(unsigned rank, std::uint64_t pc) {
    if (rank >= g_executions.size()) g_executions.resize(rank + 1);
    for (auto& entry : g_executions[rank])
        if (entry.first == pc) return entry.second++;
    g_executions[rank].emplace_back(pc, 1u);
    return 0;
}

wbemu_site_stats& site(const Record& r) {
    const std::uint64_t key = r.pc * 4 + r.space;
    auto it = g_site_index.find(key);
    if (it == g_site_index.end()) {
        it = g_site_index.emplace(key, static_cast<unsigned>(g_sites.size())).first;
        wbemu_site_stats s{};
        s.pc = r.pc;
        s.space = r.space;
        s.op = r.op;
        g_sites.push_back(s);
    }
    return g_sites[it->second];
}

std::uint64_t sectors_of(const Record* first, const Record* last) {
    std::vector<std::uint64_t> sectors;
    for (const Record* r = first; r != last; ++r)
        for (std::uint64_t s = r->address >> 5; s <= (r->address + r->size - 1) >> 5; ++s) sectors.push_back(s);
    std::sort(sectors.begin(), sectors.end());
    return static_cast<std::uint64_t>(std::unique(sectors.begin(), sectors.end()) - sectors.begin());
}

// (wavefronts, ideal wavefronts) of one shared-memory request.
std::pair<std::uint64_t, std::uint64_t> wavefronts_of(const Record* first, const Record* last) {
    const unsigned size = first->size;
    const unsigned lanes_per_phase = size <= 4 ? 32 : 128 / std::min(size, 16u);
    std::uint64_t total = 0, ideal = 0;
    for (unsigned phase = 0; phase < 32 / lanes_per_phase; ++phase) {
        std::vector<std::uint64_t> words;
        for (const Record* r = first; r != last; ++r) {
            if (r->lane / lanes_per_phase != phase) continue;
            for (std::uint64_t w = r->address >> 2; w <= (r->address + r->size - 1) >> 2; ++w) words.push_back(w);
        }
        if (words.empty()) continue;
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
        unsigned per_bank[32] = {};
        unsigned most = 0;
        for (std::uint64_t w : words) most = std::max(most, ++per_bank[w & 31]);
        total += most;
        ++ideal;
    }
    return {total, ideal};
}

}  // namespace

void metrics_record(const Access& a, const Fiber& f) {
    const unsigned k = next_execution(f.pub.rank, a.pc);
    g_records.push_back(Record{a.pc, a.address, f.pub.warp, k, static_cast<unsigned short>(a.size),
                               static_cast<unsigned char>(a.space), static_cast<unsigned char>(a.op),
                               static_cast<unsigned char>(f.pub.lane)});
}

void metrics_flush_block() {
    std::sort(g_records.begin(), g_records.end(), [](const Record& x, const Record& y) {
        if (x.pc != y.pc) return x.pc < y.pc;
        if (x.space != y.space) return x.space < y.space;
        if (x.warp != y.warp) return x.warp < y.warp;
        if (x.k != y.k) return x.k < y.k;
        return x.lane < y.lane;
    });
    for (std::size_t i = 0; i < g_records.size();) {
        std::size_t j = i;
        const Record& r = g_records[i];
        std::uint64_t bytes = 0;
        while (j < g_records.size() && g_records[j].pc == r.pc && g_records[j].space == r.space &&
               g_records[j].warp == r.warp && g_records[j].k == r.k)
            bytes += g_records[j++].size;
        wbemu_site_stats& s = site(r);
        s.lane_accesses += j - i;
        s.requests += 1;
        s.bytes += bytes;
        if (r.space == WBEMU_SPACE_GLOBAL) {
            s.sectors += sectors_of(&g_records[i], &g_records[0] + j);
        } else if (r.space == WBEMU_SPACE_SHARED) {
            const auto w = wavefronts_of(&g_records[i], &g_records[0] + j);
            s.wavefronts += w.first;
            s.ideal_wavefronts += w.second;
        }
        i = j;
    }
    g_records.clear();
    for (auto& e : g_executions) e.clear();
}

void metrics_reset() {
    g_records.clear();
    g_executions.clear();
    g_sites.clear();
    g_site_index.clear();
}

const wbemu_site_stats* metrics_sites(unsigned* count) {
    *count = static_cast<unsigned>(g_sites.size());
    return g_sites.data();
}

}  // namespace wbemu
