#include "order.h"

#include <numeric>

#include "wbemu/abi.h"

namespace wbemu {

namespace {

// splitmix64: fast, and the same sequence on every platform (unlike std distributions).
std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

constexpr std::uint64_t kMaxTabulatedBlocks = std::uint64_t(1) << 24;

}  // namespace

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
    std::uint64_t state = a ^ (b * 0xD6E8FEB86659FD93ull);
    return next_random(state);
}

void shuffle(std::vector<unsigned>& order, std::uint64_t seed) {
    std::uint64_t state = seed;
    for (std::size_t i = order.size(); i > 1; --i) {
        std::size_t j = next_random(state) % i;
        std::swap(order[i - 1], order[j]);
    }
}

BlockOrder::BlockOrder(int kind, std::uint64_t seed, std::uint64_t count)
    : kind_(kind), count_(count) {
    if (kind_ != WBEMU_ORDER_RANDOM || count_ < 2) return;
    if (count_ <= kMaxTabulatedBlocks) {
        table_.resize(count_);
        std::iota(table_.begin(), table_.end(), 0u);
        shuffle(table_, mix_seed(seed, 0xB10C));
        return;
    }
    std::uint64_t state = seed;
    offset_ = next_random(state) % count_;
    stride_ = next_random(state) % count_ | 1;
    while (std::gcd(stride_, count_) != 1) stride_ += 2;
}

std::uint64_t BlockOrder::at(std::uint64_t k) const {
    switch (kind_) {
    case WBEMU_ORDER_REVERSE:
        return count_ - 1 - k;
    case WBEMU_ORDER_RANDOM:
        if (!table_.empty()) return table_[k];
        if (count_ < 2) return k;
        return static_cast<std::uint64_t>(
            (static_cast<unsigned __int128>(stride_) * k + offset_) % count_);
    default:
        return k;
    }
}

}  // namespace wbemu
