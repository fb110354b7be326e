// Memory metrics with Nsight Compute's definitions. A warp-level request is the k-th
// execution of one access site by the lanes of a warp: the lanes of a warp run one after
// another between barriers here, so each warp keeps, per site, its requests indexed by k,
// and each lane's access joins the request of its own execution count. Requests are
// measured when the block is done:
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

constexpr unsigned kLanes = 32;

struct Request {
    std::uint64_t address[kLanes];
    unsigned char size[kLanes];
    unsigned char lane[kLanes];
    unsigned count = 0;
};

struct SiteRequests {
    std::uint64_t pc = 0;
    int space = 0;
    int op = 0;
    std::vector<Request> requests;   // by k; only [0, used) hold this block's requests
    unsigned used = 0;
};

std::vector<std::vector<SiteRequests>> g_warps;                              // per warp
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

SiteRequests& site_requests(unsigned warp, const Access& a) {
    if (warp >= g_warps.size()) g_warps.resize(warp + 1);
    for (SiteRequests& s : g_warps[warp])
        if (s.pc == a.pc && s.space == a.space) return s;
    g_warps[warp].emplace_back();
    SiteRequests& s = g_warps[warp].back();
    s.pc = a.pc;
    s.space = a.space;
    s.op = a.op;
    return s;
}

wbemu_site_stats& site(const SiteRequests& r) {
    const std::uint64_t key = r.pc * 4 + static_cast<std::uint64_t>(r.space);
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

// Distinct values among n (sorted in place).
unsigned distinct(std::uint64_t* values, unsigned n) {
    std::sort(values, values + n);
    return static_cast<unsigned>(std::unique(values, values + n) - values);
}

std::uint64_t sectors_of(const Request& r) {
    std::uint64_t sectors[kLanes * 2];
    unsigned n = 0;
    for (unsigned i = 0; i < r.count; ++i) {
        const std::uint64_t first = r.address[i] >> 5, last = (r.address[i] + r.size[i] - 1) >> 5;
        sectors[n++] = first;
        if (last != first) sectors[n++] = last;   // an access of at most 16 bytes spans two sectors
    }
    return distinct(sectors, n);
}

// (wavefronts, ideal wavefronts) of one shared-memory request.
std::pair<std::uint64_t, std::uint64_t> wavefronts_of(const Request& r) {
    const unsigned size = r.size[0];
    const unsigned lanes_per_phase = size <= 4 ? kLanes : 128 / std::min(size, 16u);
    std::uint64_t total = 0, ideal = 0;
    for (unsigned phase = 0; phase < kLanes / lanes_per_phase; ++phase) {
        std::uint64_t words[kLanes * 5];
        unsigned n = 0;
        for (unsigned i = 0; i < r.count; ++i) {
            if (r.lane[i] / lanes_per_phase != phase) continue;
            for (std::uint64_t w = r.address[i] >> 2; w <= (r.address[i] + r.size[i] - 1) >> 2; ++w) words[n++] = w;
        }
        if (!n) continue;
        n = distinct(words, n);
        unsigned per_bank[32] = {};
        unsigned most = 0;
        for (unsigned i = 0; i < n; ++i) most = std::max(most, ++per_bank[words[i] & 31]);
        total += most;
        ++ideal;
    }
    return {total, ideal};
}

void measure(SiteRequests& s) {
    wbemu_site_stats& stats = site(s);
    for (unsigned k = 0; k < s.used; ++k) {
        Request& r = s.requests[k];
        if (!r.count) continue;
        stats.lane_accesses += r.count;
        stats.requests += 1;
        for (unsigned i = 0; i < r.count; ++i) stats.bytes += r.size[i];
        if (s.space == WBEMU_SPACE_GLOBAL) {
            stats.sectors += sectors_of(r);
        } else if (s.space == WBEMU_SPACE_SHARED) {
            const auto w = wavefronts_of(r);
            stats.wavefronts += w.first;
            stats.ideal_wavefronts += w.second;
        }
        r.count = 0;
    }
    s.used = 0;
}

}  // namespace

void metrics_record(const Access& a, const Fiber& f) {
    const unsigned k = next_execution(f.pub.rank, a.pc);
    SiteRequests& s = site_requests(f.pub.warp, a);
    if (k >= s.requests.size()) s.requests.resize(std::max<std::size_t>(k + 1, s.requests.size() * 2));
    s.used = std::max(s.used, k + 1);
    Request& r = s.requests[k];
    if (r.count == kLanes) return;   // a lane ran the site more often than its k says: cannot happen
    r.address[r.count] = a.address;
    r.size[r.count] = static_cast<unsigned char>(a.size);
    r.lane[r.count] = static_cast<unsigned char>(f.pub.lane);
    ++r.count;
}

void metrics_flush_block() {
    for (auto& warp : g_warps)
        for (SiteRequests& s : warp) measure(s);
    for (auto& e : g_executions) e.clear();
}

void metrics_reset() {
    g_warps.clear();
    g_executions.clear();
    g_sites.clear();
    g_site_index.clear();
}

const wbemu_site_stats* metrics_sites(unsigned* count) {
    *count = static_cast<unsigned>(g_sites.size());
    return g_sites.data();
}

}  // namespace wbemu
