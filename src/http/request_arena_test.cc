#include "http/request_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tracklake {
namespace {

using PmrString = std::basic_string<char, std::char_traits<char>, std::pmr::polymorphic_allocator<char>>;

bool Inside(const void* p, const void* arena, size_t bytes) {
  const auto* b = static_cast<const std::byte*>(p);
  const auto* a = static_cast<const std::byte*>(arena);
  return b >= a && b < a + bytes;
}

TEST(RequestArenaTest, SmallBlocksComeFromTheBufferAndResetReusesIt) {
  RequestArena<1024> arena;
  void* first = arena.allocate(100, 8);
  void* second = arena.allocate(100, 8);
  EXPECT_TRUE(Inside(first, &arena, sizeof arena));
  EXPECT_TRUE(Inside(second, &arena, sizeof arena));
  EXPECT_NE(first, second);
  arena.Reset();
  EXPECT_EQ(arena.allocate(100, 8), first);
}

TEST(RequestArenaTest, BlocksAreAlignedAsAsked) {
  RequestArena<1024> arena;
  (void)arena.allocate(3, 1);
  for (size_t alignment : {2, 4, 8, 16, 32, 64}) {
    void* p = arena.allocate(5, alignment);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u) << alignment;
  }
}

TEST(RequestArenaTest, WhatDoesNotFitComesFromTheHeap) {
  RequestArena<256> arena;
  void* small = arena.allocate(200, 8);
  void* spill = arena.allocate(100, 8);  // 56 bytes left
  void* big = arena.allocate(100'000, 8);
  EXPECT_TRUE(Inside(small, &arena, sizeof arena));
  EXPECT_FALSE(Inside(spill, &arena, sizeof arena));
  EXPECT_FALSE(Inside(big, &arena, sizeof arena));
  // Heap blocks go back to the heap (AddressSanitizer reports a leak or a bad free otherwise).
  arena.deallocate(big, 100'000, 8);
  arena.deallocate(spill, 100, 8);
  arena.deallocate(small, 200, 8);
}

TEST(RequestArenaTest, TheNewestBlockGivesItsRoomBack) {
  RequestArena<256> arena;
  void* a = arena.allocate(64, 8);
  void* b = arena.allocate(64, 8);
  arena.deallocate(a, 64, 8);  // not the newest: its room stays taken
  EXPECT_NE(arena.allocate(8, 8), a);
  void* c = arena.allocate(64, 8);
  arena.deallocate(c, 64, 8);
  EXPECT_EQ(arena.allocate(64, 8), c);
  (void)b;
}

TEST(RequestArenaTest, ContainersGrowFromTheBufferIntoTheHeap) {
  RequestArena<512> arena;
  {
    PmrString s(&arena);
    std::pmr::vector<PmrString> fields(&arena);
    for (int i = 0; i < 200; ++i) {
      s.append("0123456789");
      fields.emplace_back("Header-Name-" + std::to_string(i));
    }
    EXPECT_EQ(s.size(), 2000u);
    EXPECT_EQ(fields.size(), 200u);
    EXPECT_EQ(fields[199], "Header-Name-199");
  }
  arena.Reset();
  PmrString again("fits in the buffer again, well past the small-string size", &arena);
  EXPECT_TRUE(Inside(again.data(), &arena, sizeof arena));
}

}  // namespace
}  // namespace tracklake
