"""The platform's own fdatasync latency, with no tracklake involved: one thread appends 1,100-byte
records to a file and fdatasyncs after each, for a fixed time, pinned to one core. bench/run runs
it on the server core and on the client core, so every run records what the disk and the VM's
wake-ups cost before the collector adds anything (tracklake's acknowledgement waits for one such
fdatasync). Prints one JSON line: count, p50/p90/p99/p99.9/max in microseconds, stalls over 5 ms,
CPU per append + fdatasync.

  disk_probe.py DIR SECONDS [--overwrite] [--bytes N] [--direct [--zero-ahead N]] [--threads N]

--overwrite first writes and syncs 64 MiB, then overwrites it from the start: what appends into a
recycled (already written) log segment would cost, where a growing file makes each fdatasync write
the inode too. --bytes: bytes per append (default 1,100; a group commit writes many requests at once).
--direct: the log's way (wal.direct_io): O_DIRECT appends of whole 4 KiB blocks into a file whose 64 MiB
are reserved with fallocate(FALLOC_FL_KEEP_SIZE), as a new segment is; --zero-ahead N also writes N
bytes of zeros ahead of an append that comes within N/4 of the written blocks' end, as the log does.
--threads N: N threads at once, each on a file of its own: whether the disk overlaps cycles (several
group commits in flight) or serves them one after the other. CPU per sync is then the process's.
"""
import argparse
import ctypes
import json
import mmap
import os
import threading
import time

RECORD_BYTES = 1100
STALL_S = 0.005
PREFILL = 64 << 20  # --overwrite: bytes written and synced before the timed appends


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("seconds", type=float)
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--bytes", type=int, default=RECORD_BYTES)
    p.add_argument("--direct", action="store_true")
    p.add_argument("--zero-ahead", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    paths = [os.path.join(a.dir, f"disk-probe-{os.getpid()}-{i}") for i in range(a.threads)]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (os.O_DIRECT if a.direct else 0)
    fds = [os.open(path, flags, 0o644) for path in paths]
    try:
        if a.overwrite:
            for fd in fds:
                prefill(fd)
        results = [[] for _ in fds]
        cpu0 = time.process_time()
        end = time.perf_counter() + a.seconds
        workers = [threading.Thread(target=cycles, args=(fd, a, end, out)) for fd, out in zip(fds, results)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        cpu = time.process_time() - cpu0
    finally:
        for fd, path in zip(fds, paths):
            os.close(fd)
            os.unlink(path)
    report([x for r in results for x in r], cpu, a.seconds)


def cycles(fd, a, end, lat):
    """Append + fdatasync until the clock reaches end; each cycle's latency in seconds into lat."""
    append = direct_appends(fd, a) if a.direct else buffered_appends(fd, a)
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        if not append():
            break
        os.fdatasync(fd)
        lat.append(time.perf_counter() - t0)


def prefill(fd):
    chunk = mmap.mmap(-1, 1 << 20)  # zeros, page-aligned as O_DIRECT needs
    for off in range(0, PREFILL, len(chunk)):
        os.pwrite(fd, chunk, off)
    os.fsync(fd)


def buffered_appends(fd, a):
    """One record per call; with --overwrite, from the start again at the prefilled end."""
    record = b"x" * a.bytes
    off = 0

    def append():
        nonlocal off
        if a.overwrite and off + len(record) > PREFILL:
            off = 0
        os.pwrite(fd, record, off)
        off += len(record)
        return True
    return append


def direct_appends(fd, a):
    """Whole 4 KiB blocks per call, zeros ahead with --zero-ahead; False once the 64 MiB are used."""
    block = 4096
    size = (a.bytes + block - 1) // block * block
    data = mmap.mmap(-1, size)  # page-aligned, as O_DIRECT needs
    data.write(b"x" * size)
    zeros = mmap.mmap(-1, max(a.zero_ahead, block))
    if not a.overwrite:
        falloc_keep_size = 1  # reserved like a new segment, its size unchanged
        ctypes.CDLL("libc.so.6", use_errno=True).fallocate(fd, falloc_keep_size, ctypes.c_long(0), ctypes.c_long(PREFILL))
    off = 0
    written_end = PREFILL if a.overwrite else 0

    def append():
        nonlocal off, written_end
        if off + size + a.zero_ahead > PREFILL:
            return False
        if a.zero_ahead and off + size + a.zero_ahead // 4 > written_end:
            os.pwritev(fd, [data, zeros], off)  # one write, data then zeros, as the log's
            written_end = off + size + a.zero_ahead
        else:
            os.pwrite(fd, data, off)
        off += size
        return True
    return append


def report(lat, cpu, seconds):
    lat.sort()

    def q(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1e6, 1)
    print(json.dumps(dict(count=len(lat), per_s=round(len(lat) / seconds), p50_us=q(0.5), p90_us=q(0.9), p99_us=q(0.99), p999_us=q(0.999),
                          max_us=round(lat[-1] * 1e6, 1), stalls_over_5ms=sum(x > STALL_S for x in lat),
                          cpu_us_per_sync=round(cpu / len(lat) * 1e6, 1))))


if __name__ == "__main__":
    main()
