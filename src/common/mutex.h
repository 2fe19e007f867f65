// A std::mutex that Clang's thread-safety analysis knows (common/thread_annotations.h), and its
// lock types. libstdc++ does not annotate std::mutex or std::lock_guard, so members guarded by one
// cannot be checked; these are the same objects with the annotations on, at no cost: every
// member is an inline call of the std:: one.
//
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_);
//   { MutexLock lock(mu_); ++count_; }                         // std::lock_guard
//   UniqueLock lock(mu_); cv_.wait(lock, [&]() REQUIRES(mu_) { return count_ > 0; });
//
// Thread-safety: as std::mutex.
#pragma once

#include <mutex>

#include "common/thread_annotations.h"

namespace tracklake {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class UniqueLock;
  std::mutex mu_;
};

// Holds mu from construction to the end of the scope (std::lock_guard).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// std::unique_lock<std::mutex>: may be unlocked and locked again within its scope, and is what a
// std::condition_variable waits with: it converts to the std::unique_lock<std::mutex>& that
// wait, wait_for and wait_until take. A waiting predicate reads guarded members, so it is
// declared [&]() REQUIRES(mu_) { ... } (the analysis checks a lambda on its own).
class SCOPED_CAPABILITY UniqueLock {
 public:
  explicit UniqueLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~UniqueLock() RELEASE() = default;  // lock_'s destructor unlocks when it is held
  UniqueLock(const UniqueLock&) = delete;
  UniqueLock& operator=(const UniqueLock&) = delete;

  void lock() ACQUIRE() { lock_.lock(); }
  void unlock() RELEASE() { lock_.unlock(); }

  operator std::unique_lock<std::mutex>&() { return lock_; }  // NOLINT(google-explicit-constructor)

 private:
  std::unique_lock<std::mutex> lock_;
};

// Lets go of a held mu for its scope and takes it back at the end: for slow work (a write and its
// fdatasync) inside a function that REQUIRES(mu) without the caller's lock object at hand.
class SCOPED_CAPABILITY MutexUnlock {
 public:
  explicit MutexUnlock(Mutex& mu) RELEASE(mu) : mu_(mu) { mu_.unlock(); }
  ~MutexUnlock() RELEASE() { mu_.lock(); }  // a scoped release ends with RELEASE(), as Clang wants
  MutexUnlock(const MutexUnlock&) = delete;
  MutexUnlock& operator=(const MutexUnlock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace tracklake
