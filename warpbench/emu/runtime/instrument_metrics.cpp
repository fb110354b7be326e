// Memory metrics with Nsight Compute's definitions. A warp-level request is the k-th
// execution of one access site by the lanes of a warp: the lanes of a warp run one after
// another between barriers here, so each site keeps its threads' execution counts and,
// per space, a flat table of requests indexed by (k, warp) (instrument_metrics.h).
// Requests are measured when the block is done:
//   global: sectors per request = distinct 32-byte sectors the lanes touch;
//   shared: wavefronts per request = for each phase of the warp (all 32 lanes for 4-byte
//   accesses, 16 for 8-byte, 8 for 16-byte: 128 bytes each), the most distinct 4-byte words
//   any one of the 32 banks is asked for (lanes reading one word share it), summed.
// Lanes are read back in lane order, so sectors and words come in ascending runs and
// counting the distinct ones seldom needs to sort.
#include "instrument_metrics.h"

#include <algorithm>

namespace wbemu {

unsigned g_metrics_warps = 1;

namespace {

constexpr unsigned kLanes = kMetricsLanes;
// An access of at most this many bytes spans at most two sectors and five words.
constexpr unsigned kSmall = 16;

// A (site, space) first used by a warp and not yet in g_sites: sites are numbered as a
// warp-by-warp walk of the first block that used them meets them.
struct NewSite { unsigned warp, site; int space, op; };

std::vector<std::unique_ptr<SiteMetrics>> g_state;   // by site index
std::vector<SiteMetrics*> g_touched;                  // sites used in this block
std::vector<NewSite> g_new;
std::vector<wbemu_site_stats> g_sites;
std::vector<std::uint64_t> g_scratch;   // the values of a request with wide accesses
unsigned g_threads = 0;

// The distinct values among v[0, n), left sorted at the front; returns their count. Each
// value joins the sorted distinct prefix at its end, or, when smaller, is looked up there.
unsigned distinct(std::uint64_t* v, unsigned n) {
    if (n < 2) return n;
    unsigned out = 1;
    for (unsigned i = 1; i < n; ++i) {
        const std::uint64_t x = v[i];
        if (x > v[out - 1]) {
            v[out++] = x;
        } else if (x < v[out - 1]) {
            std::uint64_t* at = std::lower_bound(v, v + out, x);
            if (*at == x) continue;
            std::copy_backward(at, v + out, v + out + 1);
            *at = x;
            ++out;
        }
    }
    return out;
}

// The 32-byte sectors (shift 5) or 4-byte words (shift 2) the lanes of `lanes` touch, in
// lane order, into out; returns how many.
unsigned units(const Request& r, unsigned lanes, unsigned shift, std::uint64_t* out) {
    unsigned n = 0;
    for (; lanes; lanes &= lanes - 1) {
        const unsigned i = static_cast<unsigned>(__builtin_ctz(lanes));
        const std::uint64_t last = (r.address[i] + r.size[i] - 1) >> shift;
        for (std::uint64_t u = r.address[i] >> shift; u <= last; ++u) out[n++] = u;
    }
    return n;
}

// Where units() may write: `small` when every access is at most kSmall bytes.
std::uint64_t* room(bool wide, std::uint64_t* small, const Request& r, unsigned lanes, unsigned shift) {
    if (!wide) return small;
    std::size_t n = 0;
    for (; lanes; lanes &= lanes - 1) {
        const unsigned i = static_cast<unsigned>(__builtin_ctz(lanes));
        n += ((r.address[i] + r.size[i] - 1) >> shift) - (r.address[i] >> shift) + 1;
    }
    if (g_scratch.size() < n) g_scratch.resize(n);
    return g_scratch.data();
}

std::uint64_t sectors_of(const Request& r, bool wide) {
    std::uint64_t small[kLanes * 2];
    std::uint64_t* sectors = room(wide, small, r, r.mask, 5);
    return distinct(sectors, units(r, r.mask, 5, sectors));
}

// The wavefronts of a request whose lanes each read or write within one 4-byte word (one
// phase of 32 lanes): per bank, a lane's word counts unless the bank's latest word or an
// earlier lane's word is the same.
unsigned word_wavefronts(const Request& r) {
    std::uint64_t bank_word[32];
    unsigned count[32];
    unsigned seen = 0, most = 1;
    for (unsigned lanes = r.mask; lanes; lanes &= lanes - 1) {
        const unsigned i = static_cast<unsigned>(__builtin_ctz(lanes));
        const std::uint64_t w = r.address[i] >> 2;
        const unsigned bank = static_cast<unsigned>(w & 31);
        if (!(seen >> bank & 1)) {
            seen |= 1u << bank;
            bank_word[bank] = w;
            count[bank] = 1;
            continue;
        }
        if (bank_word[bank] == w) continue;
        bool again = false;
        for (unsigned before = r.mask & ((1u << i) - 1); before && !again; before &= before - 1)
            again = r.address[__builtin_ctz(before)] >> 2 == w;
        if (again) continue;
        bank_word[bank] = w;
        most = std::max(most, ++count[bank]);
    }
    return most;
}

// (wavefronts, ideal wavefronts) of one shared-memory request.
std::pair<std::uint64_t, std::uint64_t> wavefronts_of(const Request& r, bool wide) {
    const unsigned size = r.size[__builtin_ctz(r.mask)];
    const unsigned lanes_per_phase = size <= 4 ? kLanes : 128 / std::min(size, kSmall);
    const unsigned phase_lanes = lanes_per_phase == kLanes ? ~0u : (1u << lanes_per_phase) - 1;
    std::uint64_t total = 0, ideal = 0;
    for (unsigned phase = 0; phase < kLanes / lanes_per_phase; ++phase) {
        const unsigned lanes = r.mask & (phase_lanes << (phase * lanes_per_phase));
        if (!lanes) continue;
        std::uint64_t small[kLanes * 5];
        std::uint64_t* words = room(wide, small, r, lanes, 2);
        const unsigned n = distinct(words, units(r, lanes, 2, words));
        unsigned per_bank[32] = {};
        unsigned most = 0;
        for (unsigned i = 0; i < n; ++i) most = std::max(most, ++per_bank[words[i] & 31]);
        total += most;
        ++ideal;
    }
    return {total, ideal};
}

// What measuring a request needs to know of its lanes' sizes: the bytes they ask for,
// whether one is wider than kSmall, whether one leaves its 4-byte word.
struct Sizes {
    std::uint64_t bytes;
    bool wide, split;
};

// `size`: the one size of the site's accesses (the lanes' sizes are not written), or
// kMixedSizes.
Sizes sizes_of(const Request& r, unsigned size) {
    if (size != kMixedSizes) {
        bool split = false;
        if (r.mask == ~0u) {
            for (unsigned i = 0; i < kLanes; ++i) split |= (r.address[i] & 3) + size > 4;
        } else {
            for (unsigned m = r.mask; m; m &= m - 1) split |= (r.address[__builtin_ctz(m)] & 3) + size > 4;
        }
        return {std::uint64_t(size) * static_cast<unsigned>(__builtin_popcount(r.mask)), size > kSmall, split};
    }
    Sizes out{0, false, false};
    for (unsigned m = r.mask; m; m &= m - 1) {
        const unsigned i = static_cast<unsigned>(__builtin_ctz(m));
        out.bytes += r.size[i];
        out.wide |= r.size[i] > kSmall;
        out.split |= (r.address[i] & 3) + r.size[i] > 4 || !r.size[i];
    }
    return out;
}

// The requests of slots [0, used).
void measure(Requests& q, int space, std::size_t used) {
    wbemu_site_stats& stats = g_sites[q.stats];
    for (std::size_t k = 0; k < used; ++k) {
        Request& r = q.slots[k];
        if (!r.mask) continue;
        const Sizes sizes = sizes_of(r, q.size);
        const bool wide = sizes.wide, split = sizes.split;
        stats.bytes += sizes.bytes;
        stats.lane_accesses += static_cast<unsigned>(__builtin_popcount(r.mask));
        stats.requests += 1;
        const bool words = space == WBEMU_SPACE_SHARED && !split;
        if (q.size != kMixedSizes && !words) std::fill_n(r.size, kLanes, q.size);
        if (space == WBEMU_SPACE_GLOBAL) {
            stats.sectors += sectors_of(r, wide);
        } else if (words) {
            stats.wavefronts += word_wavefronts(r);
            stats.ideal_wavefronts += 1;
        } else if (space == WBEMU_SPACE_SHARED) {
            const auto w = wavefronts_of(r, wide);
            stats.wavefronts += w.first;
            stats.ideal_wavefronts += w.second;
        }
        r.mask = 0;
    }
}

void number_new_sites() {
    std::stable_sort(g_new.begin(), g_new.end(), [](const NewSite& a, const NewSite& b) { return a.warp < b.warp; });
    for (const NewSite& n : g_new) {
        Requests& q = g_state[n.site]->spaces[n.space];
        if (q.stats >= 0) continue;
        q.stats = static_cast<int>(g_sites.size());
        wbemu_site_stats s{};
        s.pc = site_pc(n.site);
        s.space = n.space;
        s.op = n.op;
        g_sites.push_back(s);
    }
    g_new.clear();
}

}  // namespace

SiteMetrics* metrics_site(unsigned site) {
    if (site >= g_state.size()) g_state.resize(site + 1);
    if (!g_state[site]) {
        g_state[site].reset(new SiteMetrics);
        g_state[site]->site = site;
    }
    return g_state[site].get();
}

void metrics_touch(SiteMetrics& s) {
    s.touched = true;
    g_touched.push_back(&s);
    if (s.executions.size() < g_threads) s.executions.resize(g_threads);
    for (Requests& q : s.spaces) q.quick = q.stats >= 0 ? q.capacity : 0;
}

void metrics_grow(Requests& q, std::size_t index) {
    q.storage.resize(std::max(index + 1, q.storage.size() * 2));
    q.slots = q.storage.data();
    q.capacity = q.storage.size();
    q.quick = q.stats >= 0 ? q.capacity : 0;   // only a site used in the block grows
}

void metrics_mixed_sizes(Requests& q) {
    for (std::size_t k = 0; k < q.capacity; ++k)
        if (q.slots[k].mask) std::fill_n(q.slots[k].size, kLanes, q.size);
}

void metrics_first_request(const SiteMetrics& s, int space, int op, unsigned warp) {
    g_new.push_back({warp, s.site, space, op});
}

void metrics_begin_block(unsigned thread_count) {
    g_threads = thread_count;
    g_metrics_warps = std::max(1u, (thread_count + kLanes - 1) / kLanes);
}

void metrics_flush_block() {
    number_new_sites();
    for (SiteMetrics* s : g_touched) {
        // Slots past the most executions by any thread, times the warps, were not touched.
        const unsigned most = *std::max_element(s->executions.begin(), s->executions.end());
        for (int space = 0; space < WBEMU_SPACE_COUNT; ++space) {
            Requests& q = s->spaces[space];
            if (q.stats >= 0) measure(q, space, std::min(q.capacity, std::size_t(most) * g_metrics_warps));
            q.quick = 0;
        }
        std::fill(s->executions.begin(), s->executions.end(), 0u);
        s->touched = false;
    }
    g_touched.clear();
}

void metrics_reset() {
    g_state.clear();
    g_touched.clear();
    g_new.clear();
    g_sites.clear();
}

const wbemu_site_stats* metrics_sites(unsigned* count) {
    *count = static_cast<unsigned>(g_sites.size());
    return g_sites.data();
}

}  // namespace wbemu
