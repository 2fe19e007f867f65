// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html):
// with -Wthread-safety (the clang build, `make build-clang`) the compiler checks that a member
// marked GUARDED_BY(mu_) is only touched with mu_ held and that a function marked REQUIRES(mu_)
// is only called with it held. Under g++ they expand to nothing. The capability they name must be
// an annotated type: common/mutex.h's Mutex, not std::mutex (libstdc++ does not annotate it).
#pragma once

#if defined(__clang__)
#define TRACKLAKE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TRACKLAKE_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (Mutex), and a type whose lifetime holds one (MutexLock).
#define CAPABILITY(x) TRACKLAKE_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY TRACKLAKE_THREAD_ANNOTATION(scoped_lockable)

// Data members: read and written only with the lock held (PT_: the pointee, not the pointer).
#define GUARDED_BY(x) TRACKLAKE_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) TRACKLAKE_THREAD_ANNOTATION(pt_guarded_by(x))

// Functions: called with the lock held / not held; lambdas too ([&]() REQUIRES(mu_) { ... }).
#define REQUIRES(...) TRACKLAKE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) TRACKLAKE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// Functions that take or give back a lock (the lock types' own members).
#define ACQUIRE(...) TRACKLAKE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) TRACKLAKE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) TRACKLAKE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define RETURN_CAPABILITY(x) TRACKLAKE_THREAD_ANNOTATION(lock_returned(x))

// The analysis cannot follow this function (a lock handed across threads); say why at each use.
#define NO_THREAD_SAFETY_ANALYSIS TRACKLAKE_THREAD_ANNOTATION(no_thread_safety_analysis)
