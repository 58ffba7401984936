"""The printed table, the JSON file, and the one summary line."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / 'results'
KIB_TARGET = 150


def _f(value: float | None, fmt: str = '.0f') -> str:
    return '-' if value is None else format(value, fmt)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def table(results: dict[str, Any]) -> str:
    project, baseline = results['project']['levels'], results['baseline']['levels']
    lines = [
        f'{"N":>5} | {"deliv/s proj":>12} {"deliv/s base":>12} {"base/proj":>9} | '
        f'{"p50 proj":>8} {"p99 proj":>8} {"p99 base":>8} {"p99 p/b":>7} | '
        f'{"KiB/cl proj":>11} {"KiB/cl base":>11} | {"CPU% proj":>9} {"CPU% base":>9}',
    ]
    lines.append('-' * len(lines[0]))
    for n in results['levels']:
        p, b = project.get(str(n)), baseline.get(str(n))
        pd = p['saturation']['per_second'] if p else None
        bd = b['saturation']['per_second'] if b else None
        p99p = p['fixed_rate']['p99_ms'] if p else None
        p99b = b['fixed_rate']['p99_ms'] if b else None
        lines.append(
            f'{n:>5} | {_f(pd):>12} {_f(bd):>12} {_f(_ratio(bd, pd), ".2f"):>9} | '
            f'{_f(p["fixed_rate"]["p50_ms"] if p else None, ".1f"):>8} {_f(p99p, ".1f"):>8} {_f(p99b, ".1f"):>8} '
            f'{_f(_ratio(p99p, p99b), ".2f"):>7} | '
            f'{_f(p["kib_per_client"] if p else None):>11} {_f(b["kib_per_client"] if b else None):>11} | '
            f'{_f(p["fixed_rate"]["cpu_percent"] if p else None):>9} '
            f'{_f(b["fixed_rate"]["cpu_percent"] if b else None):>9}'
            + ('  (incomplete: ' + str(p['clients']) + ' clients)' if p and p.get('incomplete') else ''))
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
    out.append(('deliveries/s at N=200 within 2x of baseline', r is not None and r <= 2.0, f'ratio {_f(r, ".2f")}'))
    out.append(('p99 at N=200, 10 msg/s within 2x of baseline', p is not None and p <= 2.0, f'ratio {_f(p, ".2f")}'))
    big = max((int(n) for n in project), default=0)
    kib = project[str(big)]['kib_per_client'] if big else None
    ok = big >= 1000 and not project[str(big)].get('incomplete') and kib is not None and kib < 150
    clients = project[str(big)]['clients'] if big else 0
    out.append(('1,000 clients, each < 150 KiB', ok, f'largest N run {big} ({clients} connected), {_f(kib)} KiB/client'
                + (f' (baseline {baseline[str(big)]["kib_per_client"]:.0f})' if str(big) in baseline else '')))
    ro = results['project'].get('room_open')
    med = ro['open_room']['median_ms'] if ro else None
    out.append(('open a 1,000,000-message room < 50 ms', med is not None and med < 50, f'{_f(med, ".1f")} ms median'))
    cs = min(results['project']['cold_start_s'])
    out.append(('cold start < 3 s', cs < 3.0, f'{cs:.2f} s'))
    return out


def summary_ratios(results: dict[str, Any]) -> tuple[float | None, float | None]:
    p, b = results['project']['levels'].get('200'), results['baseline']['levels'].get('200')
    if not p or not b:
        return None, None
    return (_ratio(b['saturation']['per_second'], p['saturation']['per_second']),
            _ratio(p['fixed_rate']['p99_ms'], b['fixed_rate']['p99_ms']))


def save(results: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f'{time.strftime("%Y%m%d-%H%M%S")}.json'
    path.write_text(json.dumps(results, indent=1))
    return path


def final_line(results: dict[str, Any]) -> str:
    r, p = summary_ratios(results)
    return f'ratio@200={_f(r, ".2f")} p99ratio@200={_f(p, ".2f")}'
