"""bench/run's outputs: the markdown table and the PNG chart (latency against offered rate)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import protocols  # noqa: E402


def _ms(us):
    return f"{us / 1000:.2f}" if us is not None else "-"


def markdown(res):
    c = res["ceiling"]
    lines = [f"# tracklake benchmark {res['started']}{' (smoke)' if res['smoke'] else ''}", "",
             f"{res['cores']} cores, load average before {' '.join(res['load_average_before'])}, after "
             f"{' '.join(res.get('load_average_after', []))}; server pinned to one core, load generator to the other.", ""]
    if res.get("disk"):
        lines += ["## The machine's own fdatasync (bench/disk_probe.py: 1.1 KB append + fdatasync in a loop, no tracklake)", "",
                  "| pinned to | fdatasyncs | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | over 5 ms |", "|---|---|---|---|---|---|---|---|"]
        for d in res["disk"]:
            lines.append(f"| {d['role']} ({d['core']}) | {d['count']} | {_ms(d['p50_us'])} | {_ms(d['p90_us'])} | {_ms(d['p99_us'])} | "
                         f"{_ms(d['p999_us'])} | {_ms(d['max_us'])} | {d['stalls_over_5ms']} |")
        lines.append("")
    if c or res["max"]:
        lines += ["## Maximum rate (wrk -t1, same requests as the ceiling)", "",
                  "| server | durability | body | seconds | 2xx req/s | events/s acked | % of nginx req/s | p50 ms | p99 ms | server CPU % | delivered events/s | lake caught up |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in res.get("ceiling_rounds", []):
            body = r["body"]
            lines.append(f"| nginx 204 | - | {body} | {res['settings']['max_s']:.0f} | {r['ok_req_per_s']:.0f} | {r['ok_events_per_s']:.0f} | 100 | "
                         f"{_ms(r['p50_us'])} | {_ms(r['p99_us'])} | - | - | - |")
        for r in res["max"]:
            ceil = next((x["ok_req_per_s"] for x in res.get("ceiling_rounds", [])
                         if x["body"] == r["body"] and x["round"] == r["round"]), None)
            pct = f"{100 * r['ok_req_per_s'] / ceil:.0f}" if ceil else "-"
            caught = (f"yes, {r['catch_up_s']} s after the end" if r["caught_up"] else
                      f"NO ({r['lake_events']:.0f} of {r['accepted_events']:.0f})")
            lines.append(f"| tracklake | {r['durability']} | {r['body']} | {r['seconds']} | {r['ok_req_per_s']:.0f} | {r['ok_events_per_s']:.0f} | {pct} | "
                         f"{_ms(r['p50_us'])} | {_ms(r['p99_us'])} | {r['server_cpu_pct']:.0f} | {r['delivered_events_per_s']:.0f} | {caught} |")
        lines.append("")
    if res.get("ratios"):
        lines += ["## Ratios to the ceiling (medians over the rounds of this run)", "",
                  "| durability | body | rounds | median req/s | median events/s | nginx median req/s | ratio |", "|---|---|---|---|---|---|---|"]
        for q in res["ratios"]:
            ratio = f"{100 * q['ratio']:.0f} %" if q["ratio"] is not None else "-"
            ceil = f"{q['ceiling_req_per_s']:.0f}" if q["ceiling_req_per_s"] else "-"
            lines.append(f"| {q['durability']} | {q['body']} | {q['rounds']} | {q['median_req_per_s']:.0f} | "
                         f"{q['median_events_per_s']:.0f} | {ceil} | {ratio} |")
        lines.append("")
    lines += protocols.markdown(res)
    rows = res["openloop"] + ([dict(res["memory"], label="4 KB, 20 types")] if res["memory"] else [])
    if rows:
        lines += ["## Open loop (tracklake loadgen, latency from the intended send time), fsync", "",
                  "| events | offered ev/s | acked ev/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU % of a core | peak RSS MiB | flush.max_age | lake caught up |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            caught = (f"yes ({r['catch_up_how']}, {r['catch_up_s']} s)" if r["caught_up"] else
                      f"NO ({r['lake_events']:.0f} of {r['accepted_events']:.0f})")
            lines.append(f"| {r.get('label', '1 KB reference')} | {r['rate']} | {r['achieved_events_per_s']:.0f} | {_ms(r['p50_us'])} | "
                         f"{_ms(r['p90_us'])} | {_ms(r['p99_us'])} | {_ms(r['p999_us'])} | {_ms(r['max_us'])} | {r['errors']} | "
                         f"{r['server_cpu_pct']:.1f} | {r['peak_rss_mib']:.0f} | {r['max_age']} | {caught} |")
        lines.append("")
    nginx = {n["rate"]: n for n in res.get("openloop_nginx", [])}
    if nginx:
        lines += ["## Open loop: nginx returning 204 at the same offered rates (what answering alone costs)", "",
                  "| offered ev/s | nginx p50 ms | nginx p99 ms | nginx worker CPU % | tracklake CPU % | CPU ratio |",
                  "|---|---|---|---|---|---|"]
        for r in res["openloop"]:
            n = nginx.get(r["rate"])
            if n:
                lines.append(f"| {r['rate']} | {_ms(n['p50_us'])} | {_ms(n['p99_us'])} | {n['server_cpu_pct']:.1f} | "
                             f"{r['server_cpu_pct']:.1f} | {r['server_cpu_pct'] / max(n['server_cpu_pct'], 0.1):.1f}x |")
        lines.append("")
    if res.get("kafka"):
        lines += ["## Sinks side by side (closed-loop 100-event requests, flush.max_age 1 s; local KRaft broker, not pinned)", "",
                  "| sink | seconds of load | acked events/s | delivered events/s | delivered / accepted | window s | collector CPU % | transactions | ms per Kafka batch |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in res["kafka"]:
            kafka = "kafka" in r["sink"]
            lines.append(f"| {r['sink']} | {r['seconds']:g} | {r['acked_events_per_s']:.0f} | {r['delivered_events_per_s']:.0f} | "
                         f"{r['delivered_events']:.0f} / {r['accepted_events']:.0f} | {r['window_s']} | {r['server_cpu_pct']:.0f} | "
                         f"{r['transactions']:.0f} | {1000 * r['batch_seconds_mean']:.1f} |" if kafka else
                         f"| {r['sink']} | {r['seconds']:g} | {r['acked_events_per_s']:.0f} | {r['delivered_events_per_s']:.0f} | "
                         f"{r['delivered_events']:.0f} / {r['accepted_events']:.0f} | {r['window_s']} | {r['server_cpu_pct']:.0f} | | |")
        lines.append("")
    f = res.get("freshness")
    if f:
        lines += ["## Freshness (acknowledgement → readable in the lake)", "",
                  f"flush.max_age = {f['max_age']} s: {f['found']}/{f['markers']} markers readable; "
                  f"min {f['min_s']:.2f} s, median {f['median_s']:.2f} s, max {f['max_s']:.2f} s; "
                  f"within max_age + 5 s: {'yes' if f['within_promise'] else 'NO'}" if f["found"] else "no marker found", ""]
    return "\n".join(lines) + "\n"


def chart(res, path):
    rows = res["openloop"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if rows:
        x = [r["rate"] for r in rows]
        for key, label in (("p50_us", "p50"), ("p99_us", "p99"), ("p999_us", "p99.9"), ("max_us", "max")):
            ax.plot(x, [r[key] / 1000 for r in rows], marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels([str(v) for v in x])
        nginx = res.get("openloop_nginx", [])
        if nginx:
            ax.plot([n["rate"] for n in nginx], [n["p99_us"] / 1000 for n in nginx], marker="x", linestyle="--",
                    color="gray", label="nginx 204, p99")
        ax.legend()
    ax.set_xlabel("offered events/s (1 KB single-event requests, open loop)")
    ax.set_ylabel("acknowledgement latency, ms (from intended send time)")
    ax.set_title(f"tracklake, fsync durability — {res['started']}")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
