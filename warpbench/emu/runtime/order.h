// Thread and block orders: forward, reverse, or seeded random permutations.
#pragma once

#include <cstdint>
#include <vector>

namespace wbemu {

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

// Shuffles `order` in place, deterministically for a given seed.
void shuffle(std::vector<unsigned>& order, std::uint64_t seed);

// Maps the k-th block to run onto a linear block index.
class BlockOrder {
public:
    BlockOrder(int kind, std::uint64_t seed, std::uint64_t count);
    std::uint64_t at(std::uint64_t k) const;

private:
    int kind_;
    std::uint64_t count_;
    std::uint64_t stride_ = 1;   // affine permutation for grids too large to tabulate
    std::uint64_t offset_ = 0;
    std::vector<unsigned> table_;
};

}  // namespace wbemu
