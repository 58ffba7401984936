"""The printed tables, the JSON file, and the one summary line."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / 'results'


def _f(value: float | None, fmt: str = '.0f') -> str:
    return '-' if value is None else format(value, fmt)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _get(row: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(row, dict):
            return None
        row = row.get(key)
    return row


def throughput_table(project: dict[str, Any], baseline: dict[str, Any], levels: list[int]) -> list[str]:
    head = (f'{"N":>5} | {"deliv/s proj":>12} {"deliv/s base":>12} {"base/proj":>9} | {"KiB/tab proj":>12} '
            f'{"KiB/tab base":>12} | {"CPU% proj":>9} {"CPU% base":>9} {"clients CPU%":>12} | '
            f'{"typing sent/s":>13} {"typing upd/tab/s p/b":>20} | dropped')
    lines = [head, '-' * len(head)]
    for n in levels:
        p, b = project.get(str(n)), baseline.get(str(n))
        pd, bd = _get(p, 'saturation', 'per_second'), _get(b, 'saturation', 'per_second')
        pf, bf = _get(p, 'fixed_rate') or {}, _get(b, 'fixed_rate') or {}
        typing = f'{_f(pf.get("typing_per_tab_s"), ".1f")} / {_f(bf.get("typing_per_tab_s"), ".1f")}'
        clients = f'{_f(pf.get("clients_cpu_percent"))} / {_f(bf.get("clients_cpu_percent"))}'
        sent = f'{_f(pf.get("typing_sent_per_s"), ".1f")}/{_f(bf.get("typing_sent_per_s"), ".1f")}'
        lines.append(
            f'{n:>5} | {_f(pd):>12} {_f(bd):>12} {_f(_ratio(bd, pd), ".2f"):>9} | '
            f'{_f(_get(p, "kib_per_client")):>12} {_f(_get(b, "kib_per_client")):>12} | '
            f'{_f(pf.get("cpu_percent")):>9} {_f(bf.get("cpu_percent")):>9} {clients:>12} | {sent:>13} {typing:>20} | '
            f'{_f(pf.get("dropped"))}/{_f(bf.get("dropped"))}'
            + (f'  (incomplete: {p["clients"]} tabs)' if p and p.get('incomplete') else ''))
    return lines


def latency_table(rows: list[tuple[str, dict[str, Any] | None]]) -> list[str]:
    head = (f'{"":24} | {"msgs":>5} {"p50 ms":>7} {"p99 ms":>7} {"p99.9 ms":>8} {"max ms":>7} | '
            f'{"slowest message (tag, sent at)":>30}')
    lines = [head, '-' * len(head)]
    for name, r in rows:
        if not r:
            lines.append(f'{name:24} | (not measured)')
            continue
        slow = r.get('slowest') or {}
        incomplete = r['messages'] - r['complete']
        lines.append(f'{name:24} | {r["messages"]:>5} {_f(r["p50_ms"], ".1f"):>7} {_f(r["p99_ms"], ".1f"):>7} '
                     f'{_f(r["p999_ms"], ".1f"):>8} {_f(r["max_ms"], ".1f"):>7} | '
                     f'{"m" + str(slow.get("tag", "-")) + " at " + _f(slow.get("at_s"), ".1f") + " s":>30}'
                     + (f'  ({incomplete} not received by every tab)' if incomplete else ''))
    return lines


def table(results: dict[str, Any]) -> str:
    project, baseline = results['project']['levels'], results['baseline']['levels']
    first: dict[str, Any] = next(iter(project.values()), {})
    senders = first.get('senders', '?')
    lines = [f'Fan-out: N receiving tabs + {senders} sender tabs in one room. Senders type in the composer (value and '
             'throttled typing events) and press Enter over their own socket; deliveries/s at saturation; the rest '
             f'at 10 msg/s for {results.get("phase_seconds", "?")} s.', '']
    lines += throughput_table(project, baseline, results['levels'])
    lines.append('')
    lines.append('Latency, send (Enter / POST) to the LAST tab, 10 msg/s:')
    rows: list[tuple[str, dict[str, Any] | None]] = []
    http: list[str] = []
    for n in results['levels']:
        rows += [(f'N={n} project', _get(project.get(str(n)), 'fixed_rate')),
                 (f'N={n} baseline', _get(baseline.get(str(n)), 'fixed_rate'))]
    for n in results['levels']:
        if _get(project.get(str(n)), 'http_fixed_rate') is not None:
            rows += [(f'N={n} project HTTP POST', project[str(n)]['http_fixed_rate']),
                     (f'N={n} baseline HTTP POST', _get(baseline.get(str(n)), 'http_fixed_rate'))]
            http.append(f'HTTP ingestion at N={n} (POST /api/rooms/<id>/messages; baseline POST /send): '
                          f'{_f(_get(project[str(n)], "http_saturation", "per_second"))} deliveries/s against '
                          f'{_f(_get(baseline.get(str(n)), "http_saturation", "per_second"))}')
    lines += latency_table(rows) + http
    members = results.get('rooms', {}).get('members', {})
    lines.append('Room members (every page lists them): ' + ', '.join(
        f'room {room}: {count}' for room, count in members.items()) + f'; history {results["history_messages"]:,}')
    ro = results['project'].get('room_open')
    if ro:
        lines.append(f'Room of {ro["messages"]:,} messages: GET /room median {ro["open_room"]["median_ms"]:.1f} ms'
                     f' p90 {ro["open_room"]["p90_ms"]:.1f} ms; older page median {ro["older_page"]["median_ms"]:.1f}'
                     f' ms p90 {ro["older_page"]["p90_ms"]:.1f} ms')
    cs = results['project']['cold_start_s']
    lines.append(f'Cold start (python main.py to 200 on /login): {min(cs):.2f} s best, {max(cs):.2f} s worst '
                 f'({len(cs)} runs)')
    lines.append('')
    lines.append('Targets:')
    for name, ok, detail in targets(results):
        lines.append(f'  [{"met" if ok else "MISSED":6}] {name}: {detail}')
    return '\n'.join(lines)


def targets(results: dict[str, Any]) -> list[tuple[str, bool, str]]:
    project, baseline = results['project']['levels'], results['baseline']['levels']
    out = []
    r, p = summary_ratios(results)
    out.append(('deliveries/s at N=200 within 1.5x of baseline', r is not None and r <= 1.5, f'ratio {_f(r, ".2f")}'))
    out.append(('p99 at N=200, 10 msg/s within 1.5x of baseline', p is not None and p <= 1.5, f'ratio {_f(p, ".2f")}'))
    big = max((int(n) for n in project), default=0)
    kib = project[str(big)]['kib_per_client'] if big else None
    ok = big >= 1000 and not project[str(big)].get('incomplete') and kib is not None and kib <= 100
    clients = project[str(big)]['clients'] if big else 0
    out.append(('1,000 tabs, each <= 100 KiB', ok, f'largest N run {big} ({clients} opened), {_f(kib)} KiB/tab'
                + (f' (baseline {baseline[str(big)]["kib_per_client"]:.0f})' if str(big) in baseline else '')))
    ro = results['project'].get('room_open')
    med = ro['open_room']['median_ms'] if ro else None
    out.append(('open a 1,000,000-message room < 50 ms', med is not None and med < 50,
                f'{_f(med, ".1f")} ms median ({ro["messages"]:,} messages)' if ro else '-'))
    cs = min(results['project']['cold_start_s'])
    out.append(('cold start < 3 s', cs < 3.0, f'{cs:.2f} s'))
    return out


def summary_ratios(results: dict[str, Any]) -> tuple[float | None, float | None]:
    p, b = results['project']['levels'].get('200'), results['baseline']['levels'].get('200')
    if not p or not b:
        return None, None
    return (_ratio(b['saturation']['per_second'], p['saturation']['per_second']),
            _ratio(p['fixed_rate']['p99_ms'], b['fixed_rate']['p99_ms']))


def save(results: dict[str, Any], prefix: str = '') -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f'{prefix}{time.strftime("%Y%m%d-%H%M%S")}.json'
    path.write_text(json.dumps(results, indent=1))
    return path


def final_line(results: dict[str, Any]) -> str:
    r, p = summary_ratios(results)
    return f'ratio@200={_f(r, ".2f")} p99ratio@200={_f(p, ".2f")}'
